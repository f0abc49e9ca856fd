/*
 * webhook_receiver: a webhook endpoint for the delivery tests, standing in
 * for an SMS/IM gateway. It checks each POST as a real receiver must
 * (README "Notification delivery"), logs it, and answers as its mode says.
 *
 *   webhook_receiver --log FILE [--port N] [--mode ok|fail|fail-first=N]
 *                    [--delay-ms N] [--bodies] [--max-skew S]
 *
 *   --log FILE      append one line per POST (created if missing)
 *   --port N        listen on 127.0.0.1:N (default 0: any free port)
 *   --mode          ok: 200 to every POST; fail: 500 to every one;
 *                   fail-first=N: 500 to the first N POSTs of each
 *                   idempotency key, 200 from then on (default ok)
 *   --delay-ms N    answer N ms after the POST came (it is logged at once)
 *   --bodies        add the raw body to each log line
 *   --max-skew S    refuse timestamps more than S seconds off (default 300)
 *
 * The HMAC key is the environment's SUQIU_WEBHOOK_SECRET, as the worker's.
 * Once it accepts connections it prints "listening 127.0.0.1:<port>" on
 * standard output. SIGTERM or SIGINT: it answers what is waiting (503)
 * and exits 0.
 *
 * Log lines are tab-separated, written with one write(2) each in append
 * mode, so a line is whole even when the process is killed:
 *
 *   <unix ms> <idempotency key> <ok|bad> <attempt> <status> <message id> <path> [<body>]
 *
 * "ok" when the signature verifies over X-Suqiu-Timestamp "." body, the
 * timestamp is within the skew, and the body's idempotency_key is the
 * header's; a POST that is "bad" gets 401 whatever the mode. <attempt> is
 * the X-Suqiu-Attempt header, <message id> the body's id ("-" when
 * absent), <path> the request's path (which webhook URL was used).
 *
 * Written independently of core/webhook.c (libsodium directly), so that
 * it checks the worker's signatures rather than agreeing with them.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum mode {
	MODE_OK,         /* 200 to every valid POST */
	MODE_FAIL,       /* 500 to every POST */
	MODE_FAIL_FIRST, /* 500 to the first fail_first POSTs of each key */
};

/* Tries seen per idempotency key: open addressing, grown at half full. */
struct slot {
	char *key;
	long tries;
};

/* An answer waiting for --delay-ms. */
struct pending {
	struct evhttp_request *req;
	int status;
	struct event *timer;
	struct pending *prev, *next;
};

static struct {
	const char *secret;
	int log_fd;
	enum mode mode;
	long fail_first;
	long delay_ms;
	long max_skew;
	bool bodies;
	struct event_base *base;
	struct slot *slots;
	size_t nslots, used;
	struct pending *pending; /* a list, to answer at shutdown */
} rx;

static void usage(void)
{
	fprintf(stderr, "usage: webhook_receiver --log FILE [--port N] [--mode ok|fail|fail-first=N] [--delay-ms N]"
			" [--bodies] [--max-skew S]\n(the key is the environment's SUQIU_WEBHOOK_SECRET)\n");
	exit(2);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct slot *slot_of(struct slot *slots, size_t n, const char *key)
{
	size_t i = hash(key) & (n - 1);
	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (n - 1);
	return &slots[i];
}

/* Counts a try of key; returns the count, this one included. */
static long count_try(const char *key)
{
	if (2 * (rx.used + 1) > rx.nslots) {
		size_t n = rx.nslots ? rx.nslots * 2 : 1024;
		struct slot *grown = calloc(n, sizeof *grown);
		if (!grown)
			abort();
		for (size_t i = 0; i < rx.nslots; i++)
			if (rx.slots[i].key)
				*slot_of(grown, n, rx.slots[i].key) = rx.slots[i];
		free(rx.slots);
		rx.slots = grown;
		rx.nslots = n;
	}
	struct slot *s = slot_of(rx.slots, rx.nslots, key);
	if (!s->key) {
		s->key = strdup(key);
		rx.used++;
	}
	return ++s->tries;
}

static const char *header(struct evhttp_request *req, const char *name)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);
	return v ? v : "";
}

/* The checks of a real receiver: timestamp, signature, key. */
static bool verify(const char *ts, const char *sig, const char *key, const unsigned char *body, size_t len,
		   json_t *doc)
{
	if (!*ts || strspn(ts, "0123456789") != strlen(ts) || strlen(ts) > 12)
		return false;
	long long t = atoll(ts), now = (long long)time(NULL);
	if (t < now - rx.max_skew || t > now + rx.max_skew)
		return false;
	if (strncmp(sig, "sha256=", 7) != 0 || strlen(sig) != 7 + 2 * crypto_auth_hmacsha256_BYTES)
		return false;
	unsigned char got[crypto_auth_hmacsha256_BYTES], want[crypto_auth_hmacsha256_BYTES];
	if (sodium_hex2bin(got, sizeof got, sig + 7, 2 * sizeof got, NULL, NULL, NULL) != 0)
		return false;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)rx.secret, strlen(rx.secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, want);
	if (sodium_memcmp(got, want, sizeof want) != 0)
		return false;
	const char *body_key = json_string_value(json_object_get(doc, "idempotency_key"));
	return *key && body_key && strcmp(body_key, key) == 0;
}

static void log_post(struct evhttp_request *req, const char *key, bool ok, int status, json_t *doc,
		     const unsigned char *body, size_t len)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	char id[32] = "-";
	json_t *jid = json_object_get(doc, "id");
	if (json_is_integer(jid))
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(jid));
	char *line = NULL;
	const char *attempt = header(req, "X-Suqiu-Attempt");
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	int n = asprintf(&line, "%lld\t%s\t%s\t%s\t%d\t%s\t%s%s%.*s\n",
			 (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000, *key ? key : "-", ok ? "ok" : "bad",
			 *attempt ? attempt : "-", status, id, path && *path ? path : "/", rx.bodies ? "\t" : "",
			 rx.bodies ? (int)len : 0, (const char *)body);
	if (n < 0)
		abort();
	/* the worker's bodies are compact JSON: no raw tab or newline; anything else is not logged whole */
	for (int i = 0; rx.bodies && i < (int)len; i++) {
		char *c = line + n - 1 - (int)len + i;
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	}
	if (write(rx.log_fd, line, (size_t)n) != n)
		fprintf(stderr, "webhook_receiver: could not write the log: %s\n", strerror(errno));
	free(line);
}

static void reply(struct evhttp_request *req, int status)
{
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_printf(out, "%s\n", status == 200 ? "ok" : status == 401 ? "bad signature" : "fail");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Failed", out);
	evbuffer_free(out);
}

static void pending_end(struct pending *p, int status)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		rx.pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	/* libevent keeps a request whose client left until it is answered, then frees it */
	reply(p->req, status);
	event_free(p->timer);
	free(p);
}

static void on_delay(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct pending *p = arg;
	pending_end(p, p->status);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_send_reply(req, 405, "Method Not Allowed", NULL);
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const unsigned char *body = len ? evbuffer_pullup(in, -1) : (const unsigned char *)"";
	json_t *doc = json_loadb((const char *)body, len, 0, NULL);
	const char *key = header(req, "Idempotency-Key");
	bool ok = verify(header(req, "X-Suqiu-Timestamp"), header(req, "X-Suqiu-Signature"), key, body, len, doc);
	int status = 200;
	if (!ok)
		status = 401;
	else if (rx.mode == MODE_FAIL || (rx.mode == MODE_FAIL_FIRST && count_try(key) <= rx.fail_first))
		status = 500;
	log_post(req, key, ok, status, doc, body, len);
	json_decref(doc);
	if (rx.delay_ms <= 0) {
		reply(req, status);
		return;
	}
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->req = req;
	p->status = status;
	p->timer = evtimer_new(rx.base, on_delay, p);
	p->next = rx.pending;
	if (rx.pending)
		rx.pending->prev = p;
	rx.pending = p;
	struct timeval tv = { rx.delay_ms / 1000, (rx.delay_ms % 1000) * 1000 };
	evtimer_add(p->timer, &tv);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig, (void)what, (void)arg;
	event_base_loopbreak(rx.base);
}

static long number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *log_path = NULL;
	int port = 0;
	rx.max_skew = 300;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--bodies") == 0) {
			rx.bodies = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--log") == 0)
			log_path = v;
		else if (strcmp(a, "--port") == 0)
			port = (int)number(v);
		else if (strcmp(a, "--delay-ms") == 0)
			rx.delay_ms = number(v);
		else if (strcmp(a, "--max-skew") == 0)
			rx.max_skew = number(v);
		else if (strcmp(a, "--mode") == 0 && strcmp(v, "ok") == 0)
			rx.mode = MODE_OK;
		else if (strcmp(a, "--mode") == 0 && strcmp(v, "fail") == 0)
			rx.mode = MODE_FAIL;
		else if (strcmp(a, "--mode") == 0 && strncmp(v, "fail-first=", 11) == 0)
			rx.mode = MODE_FAIL_FIRST, rx.fail_first = number(v + 11);
		else
			usage();
	}
	rx.secret = getenv("SUQIU_WEBHOOK_SECRET");
	if (!log_path || port > 65535 || !rx.secret || !*rx.secret)
		usage();
	if (sodium_init() < 0)
		return 1;
	rx.log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rx.log_fd < 0) {
		fprintf(stderr, "webhook_receiver: could not open \"%s\": %s\n", log_path, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	rx.base = event_base_new();
	struct evhttp *http = evhttp_new(rx.base);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_POST | EVHTTP_REQ_GET);
	evhttp_set_max_body_size(http, 1 << 20);
	evhttp_set_gencb(http, on_request, NULL);
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)port);
	if (!bound) {
		fprintf(stderr, "webhook_receiver: could not listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sa, &salen);
	struct event *term = evsignal_new(rx.base, SIGTERM, on_signal, NULL);
	struct event *intr = evsignal_new(rx.base, SIGINT, on_signal, NULL);
	event_add(term, NULL);
	event_add(intr, NULL);
	printf("listening 127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	event_base_dispatch(rx.base);
	while (rx.pending)
		pending_end(rx.pending, 503);
	event_free(term);
	event_free(intr);
	evhttp_free(http);
	event_base_free(rx.base);
	for (size_t i = 0; i < rx.nslots; i++)
		free(rx.slots[i].key);
	free(rx.slots);
	close(rx.log_fd);
	return 0;
}
