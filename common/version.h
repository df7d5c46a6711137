#ifndef PG_VERSION_H
#define PG_VERSION_H

/* perfgate's version, recorded in results, manifests and reports. */
#define PERFGATE_VERSION "0.1.0"

#endif
