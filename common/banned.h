#ifndef PG_BANNED_H
#define PG_BANNED_H

/*
 * Functions that are too easy to misuse: unbounded copies, formatted output
 * without a length, hidden static state. Include this header LAST in every
 * .c file (after the system headers, whose declarations it would otherwise
 * break); any use of a banned function then fails to compile with a message
 * naming it. Use pg_buf (buf.h) or snprintf/memcpy with explicit sizes.
 */

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)

#endif
