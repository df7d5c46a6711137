'use strict';
/*
 * The S3 server of perfgate's end-to-end tests (started by ../s3.sh).
 *
 * s3rver (pinned by package-lock.json) stores the objects, but on its own it
 * is lenient where real S3 is strict: it never verifies a Signature Version 4
 * signature (it only looks the access key id up), it serves unsigned
 * requests, and it does not check x-amz-content-sha256 against the body. So
 * s3rver listens on an ephemeral loopback port and the tests talk to a
 * strict front in this file, which forwards a request to s3rver only when
 *
 *   - it carries x-amz-content-sha256       (else 400 InvalidRequest)
 *   - it is signed with AWS4-HMAC-SHA256 in the Authorization header, with
 *     the configured access key id, region and service "s3"
 *                                           (else 403 AccessDenied,
 *                                            InvalidAccessKeyId, 400
 *                                            AuthorizationHeaderMalformed)
 *   - x-amz-date is within 15 minutes of now (else 403 RequestTimeTooSkewed)
 *   - host, x-amz-date and every x-amz-* header present are signed
 *                                           (else 403 AccessDenied)
 *   - the signature, computed as AWS does (canonical URI and query string
 *     from the decoded path and parameters, re-encoded per RFC 3986),
 *     matches                               (else 403 SignatureDoesNotMatch)
 *   - x-amz-content-sha256 is the SHA-256 of the body received; the literal
 *     UNSIGNED-PAYLOAD only on a request without a body
 *                                           (else 400 XAmzContentSHA256Mismatch)
 *
 * Errors are S3's XML error documents. One line per request goes to stdout
 * ("PUT /bucket/key -> 200"), never a header value.
 *
 *   node --openssl-legacy-provider start.js --dir DIR [--bucket NAME] [--access-key ID] [--region R]
 *                 [--port N] [--port-file FILE]
 *   The secret key is read from the environment: S3_FRONT_SECRET_KEY.
 *   --port 0 (the default) takes a free port; the port is written to
 *   --port-file once both servers listen. SIGTERM or SIGINT stops both.
 */

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const S3rver = require('s3rver');

const MAX_BODY = 1024 * 1024 * 1024;

function usage(msg) {
	process.stderr.write(`start.js: ${msg}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const opts = { bucket: 'perfgate', accessKey: 'S3RVER', region: 'us-east-1', port: 0 };
	const names = {
		'--dir': 'dir', '--bucket': 'bucket', '--access-key': 'accessKey',
		'--region': 'region', '--port': 'port', '--port-file': 'portFile',
	};
	for (let i = 0; i < argv.length; i += 2) {
		const name = names[argv[i]];
		if (!name || i + 1 >= argv.length) usage(`bad argument '${argv[i]}'`);
		opts[name] = argv[i + 1];
	}
	if (!opts.dir) usage('--dir is required');
	opts.secretKey = process.env.S3_FRONT_SECRET_KEY;
	if (!opts.secretKey) usage('S3_FRONT_SECRET_KEY is not set');
	opts.port = Number(opts.port);
	return opts;
}

function xmlEscape(s) {
	return String(s).replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`);
}

/* One line per request on stdout, the tests' record of what reached the
 * server. Written before the response: a client that has its answer
 * finds the line already there. */
function logRequest(req, what) {
	process.stdout.write(`${req.method} ${req.url} -> ${what}\n`);
}

function sendError(req, res, status, code, message, extra) {
	logRequest(req, `${status} ${code}`);
	let body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
		`<Message>${xmlEscape(message)}</Message>`;
	for (const [k, v] of Object.entries(extra || {})) body += `<${k}>${xmlEscape(v)}</${k}>`;
	body += `<RequestId>${crypto.randomBytes(8).toString('hex')}</RequestId></Error>\n`;
	res.writeHead(status, {
		'Content-Type': 'application/xml',
		'Content-Length': Buffer.byteLength(body),
	});
	res.end(req.method === 'HEAD' ? undefined : body);
	return { status, code };
}

/* RFC 3986 encoding as AWS's UriEncode(): unreserved bytes stay, every
 * other byte becomes %XX (uppercase); '/' stays when keepSlash. */
function uriEncode(s, keepSlash) {
	let out = '';
	for (const b of Buffer.from(s, 'utf8')) {
		const c = String.fromCharCode(b);
		if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
		else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
	}
	return out;
}

function canonicalUri(rawPath) {
	const segs = rawPath.split('/').map(seg => uriEncode(decodeURIComponent(seg), false));
	const p = segs.join('/');
	return p === '' ? '/' : p;
}

function canonicalQuery(rawQuery) {
	if (!rawQuery) return '';
	return rawQuery.split('&').filter(p => p !== '').map(p => {
		const eq = p.indexOf('=');
		const k = eq < 0 ? p : p.slice(0, eq);
		const v = eq < 0 ? '' : p.slice(eq + 1);
		return [uriEncode(decodeURIComponent(k), false), uriEncode(decodeURIComponent(v), false)];
	}).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
		.map(([k, v]) => `${k}=${v}`).join('&');
}

function hmac(key, data) {
	return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/* Check the request (headers and the whole body); returns null when it may
 * go to s3rver, else what sendError() returned. */
function check(opts, req, res, body) {
	const h = req.headers;
	const payload = h['x-amz-content-sha256'];
	if (payload === undefined)
		return sendError(req, res, 400, 'InvalidRequest',
			'Missing required header for this request: x-amz-content-sha256');
	const auth = h.authorization;
	if (auth === undefined) {
		if (/[?&]X-Amz-(Algorithm|Signature)=/i.test(req.url))
			return sendError(req, res, 403, 'AccessDenied',
				'this test server accepts only requests signed in the Authorization header');
		return sendError(req, res, 403, 'AccessDenied', 'Access Denied');
	}
	const m = /^AWS4-HMAC-SHA256 +Credential=([^,]+), *SignedHeaders=([^,]+), *Signature=([0-9a-f]{64})$/.exec(auth);
	if (!m)
		return sendError(req, res, 400, 'AuthorizationHeaderMalformed',
			'The authorization header is malformed; expected AWS4-HMAC-SHA256 ' +
			'Credential=..., SignedHeaders=..., Signature=...');
	const [, credential, signedHeadersList, signature] = m;
	const cred = credential.split('/');
	if (cred.length !== 5 || cred[4] !== 'aws4_request')
		return sendError(req, res, 400, 'AuthorizationHeaderMalformed',
			`The authorization header is malformed; the Credential is mal-formed`);
	const [accessKey, credDate, region, service] = cred;
	if (accessKey !== opts.accessKey)
		return sendError(req, res, 403, 'InvalidAccessKeyId',
			'The AWS Access Key Id you provided does not exist in our records.',
			{ AWSAccessKeyId: accessKey });
	if (region !== opts.region)
		return sendError(req, res, 400, 'AuthorizationHeaderMalformed',
			`The authorization header is malformed; the region '${region}' is wrong; ` +
			`expecting '${opts.region}'`, { Region: opts.region });
	if (service !== 's3')
		return sendError(req, res, 400, 'AuthorizationHeaderMalformed',
			`The authorization header is malformed; incorrect service '${service}'; expecting 's3'`);
	const amzDate = h['x-amz-date'];
	const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate || '');
	if (!dm)
		return sendError(req, res, 403, 'AccessDenied',
			'AWS authentication requires a valid x-amz-date header');
	if (credDate !== amzDate.slice(0, 8))
		return sendError(req, res, 400, 'AuthorizationHeaderMalformed',
			`The authorization header is malformed; invalid credential date '${credDate}'`);
	const when = Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]);
	if (Math.abs(Date.now() - when) > 15 * 60 * 1000)
		return sendError(req, res, 403, 'RequestTimeTooSkewed',
			'The difference between the request time and the current time is too large.',
			{ RequestTime: amzDate, ServerTime: new Date().toISOString() });
	const signed = signedHeadersList.split(';');
	for (const need of ['host', 'x-amz-date', 'x-amz-content-sha256'])
		if (!signed.includes(need))
			return sendError(req, res, 403, 'AccessDenied',
				`There were headers present in the request which were not signed`,
				{ HeadersNotSigned: need });
	const unsigned = Object.keys(h).filter(k => k.startsWith('x-amz-') && !signed.includes(k));
	if (unsigned.length)
		return sendError(req, res, 403, 'AccessDenied',
			'There were headers present in the request which were not signed',
			{ HeadersNotSigned: unsigned.join(', ') });

	const q = req.url.indexOf('?');
	const rawPath = q < 0 ? req.url : req.url.slice(0, q);
	const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
	let canonical;
	try {
		canonical = [
			req.method,
			canonicalUri(rawPath),
			canonicalQuery(rawQuery),
			signed.map(k => `${k}:${String(h[k] === undefined ? '' : h[k]).trim().replace(/\s+/g, ' ')}\n`).join(''),
			signedHeadersList,
			payload,
		].join('\n');
	} catch (e) {
		return sendError(req, res, 400, 'InvalidURI', "Couldn't parse the specified URI.");
	}
	const scope = `${credDate}/${region}/${service}/aws4_request`;
	const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope,
		crypto.createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
	let key = hmac('AWS4' + opts.secretKey, credDate);
	key = hmac(key, region);
	key = hmac(key, service);
	key = hmac(key, 'aws4_request');
	const expected = hmac(key, stringToSign).toString('hex');
	if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature)))
		return sendError(req, res, 403, 'SignatureDoesNotMatch',
			'The request signature we calculated does not match the signature you ' +
			'provided. Check your key and signing method.',
			{ AWSAccessKeyId: accessKey, CanonicalRequest: canonical, StringToSign: stringToSign });

	const actual = crypto.createHash('sha256').update(body).digest('hex');
	if (payload === 'UNSIGNED-PAYLOAD' && body.length === 0) return null;
	if (payload !== actual)
		return sendError(req, res, 400, 'XAmzContentSHA256Mismatch',
			"The provided 'x-amz-content-sha256' header does not match what was computed.",
			{ ClientComputedContentSHA256: payload, S3ComputedContentSHA256: actual });
	return null;
}

function forward(backendPort, req, res, body) {
	const headers = { ...req.headers };
	delete headers.expect;
	delete headers['transfer-encoding'];
	headers['content-length'] = String(body.length);
	if (body.length === 0 && !['PUT', 'POST'].includes(req.method)) delete headers['content-length'];
	const up = http.request({
		host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers,
	}, ures => {
		logRequest(req, String(ures.statusCode));
		res.writeHead(ures.statusCode, ures.statusMessage, ures.headers);
		ures.pipe(res);
	});
	up.on('error', err => {
		if (!res.headersSent) {
			sendError(req, res, 502, 'InternalError', `s3rver: ${err.message}`);
		} else {
			logRequest(req, '502');
			res.destroy();
		}
	});
	up.end(body);
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	// s3rver makes ListObjectsV2 continuation tokens with DES: without it
	// every listing of more than one page fails with a 500
	try {
		crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
	} catch (err) {
		usage(`DES is not available (${err.message}): run node with --openssl-legacy-provider`);
	}
	const dataDir = path.join(opts.dir, 'data');
	fs.mkdirSync(dataDir, { recursive: true });
	const backend = new S3rver({
		address: '127.0.0.1', port: 0, silent: true, directory: dataDir,
		configureBuckets: [{ name: opts.bucket, configs: [] }],
	});
	const { port: backendPort } = await backend.run();

	const front = http.createServer((req, res) => {
		const chunks = [];
		let size = 0;
		req.on('data', c => {
			size += c.length;
			if (size > MAX_BODY) {
				sendError(req, res, 400, 'EntityTooLarge', 'the test server takes at most 1 GiB');
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => {
			if (res.writableEnded) return;
			const body = Buffer.concat(chunks);
			if (!check(opts, req, res, body)) forward(backendPort, req, res, body);
		});
	});
	await new Promise((resolve, reject) => {
		front.once('error', reject);
		front.listen(opts.port, '127.0.0.1', resolve);
	});
	const port = front.address().port;
	process.stdout.write(`s3 front on 127.0.0.1:${port}, s3rver on 127.0.0.1:${backendPort}, ` +
		`bucket '${opts.bucket}'\n`);
	if (opts.portFile) {
		fs.writeFileSync(opts.portFile + '.tmp', `${port}\n`);
		fs.renameSync(opts.portFile + '.tmp', opts.portFile);
	}
	const stop = () => {
		front.close();
		backend.close().catch(() => {}).then(() => process.exit(0));
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch(err => {
	process.stderr.write(`start.js: ${err.stack || err}\n`);
	process.exit(1);
});
