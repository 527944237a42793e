/* mini_http.h: a tiny scripted HTTP/1.1 server for unit tests (header
 * only, so the unit-test Makefile needs no extra source; POSIX sockets and
 * pthreads).
 *
 *   mh_server_t *s = mh_start(script, n);   listens on 127.0.0.1:<s->port>
 *   ... client requests ...
 *   mh_requests(s), mh_connections(s), mh_last_header(s, "Accept", buf, len)
 *   mh_stop(s);
 *
 * One thread serves every connection with poll(). Request n gets
 * script[n] (the last entry repeats). Each answer may be delayed, trickled
 * byte by byte, truncated, sent without Content-Length, or replaced by a
 * close without answering. Keep-alive is honoured unless the entry says
 * close. Pauses wake up at once when the server is stopped.
 */
#ifndef MINI_HTTP_H
#define MINI_HTTP_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

typedef struct {
    int status;              /* 0: close the connection without answering */
    const char *headers;     /* extra header lines, each ending in "\r\n", or NULL */
    const char *body;        /* NULL: empty */
    size_t body_len;         /* 0: strlen(body) */
    int delay_ms;            /* pause before answering */
    int trickle_ms;          /* > 0: the body goes out one byte at a time, this far apart */
    long content_length;     /* > 0: advertised instead of the real length (truncation) */
    int no_length;           /* no Content-Length: the body ends when the connection closes */
    int close;               /* close the connection after answering */
} mh_resp_t;

#define MH_MAX_CONNS 8
#define MH_MAX_REQ (256 * 1024)

typedef struct {
    int fd;
    char *buf;
    size_t len;
} mh_conn_t;

typedef struct {
    int port;
    int listen_fd, stop_pipe[2];
    pthread_t thread;
    pthread_mutex_t mu;
    const mh_resp_t *script;
    size_t nscript, next;
    int connections, requests;
    char last_head[16384];
    char last_body[MH_MAX_REQ];
    size_t last_body_len;
    mh_conn_t conns[MH_MAX_CONNS];
} mh_server_t;

/* 1 when stopped during the pause. */
static inline int mh_pause(mh_server_t *s, int ms)
{
    struct pollfd pf = { s->stop_pipe[0], POLLIN, 0 };
    return ms > 0 && poll(&pf, 1, ms) > 0;
}

static inline int mh_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline void mh_conn_close(mh_conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    c->fd = -1;
    c->buf = NULL;
    c->len = 0;
}

/* Value of header `name` in a raw request head, copied to out. */
static inline int mh_head_value(const char *head, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line && line[2] && !(line[2] == '\r' && line[3] == '\n')) {
        const char *start = line + 2, *end = strstr(start, "\r\n");
        if (!end)
            break;
        if ((size_t)(end - start) > nl && !strncasecmp(start, name, nl) && start[nl] == ':') {
            const char *v = start + nl + 1;
            size_t n;
            while (*v == ' ' || *v == '\t')
                v++;
            n = (size_t)(end - v);
            if (n >= outlen)
                n = outlen - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
        line = end;
    }
    return 0;
}

/* Answers one request; returns 1 to keep the connection, 0 to close it,
 * -1 when the server is stopping. */
static inline int mh_answer(mh_server_t *s, mh_conn_t *c, const char *head, size_t head_len,
                            const char *body, size_t body_len)
{
    mh_resp_t r;
    char hdr[4096];
    size_t blen, i;
    int n;

    pthread_mutex_lock(&s->mu);
    s->requests++;
    if (head_len >= sizeof(s->last_head))
        head_len = sizeof(s->last_head) - 1;
    memcpy(s->last_head, head, head_len);
    s->last_head[head_len] = '\0';
    if (body_len > sizeof(s->last_body))
        body_len = sizeof(s->last_body);
    memcpy(s->last_body, body, body_len);
    s->last_body_len = body_len;
    r = s->script[s->next < s->nscript ? s->next : s->nscript - 1];
    s->next++;
    pthread_mutex_unlock(&s->mu);

    if (mh_pause(s, r.delay_ms))
        return -1;
    if (r.status == 0)
        return 0;
    blen = r.body ? (r.body_len ? r.body_len : strlen(r.body)) : 0;
    if (r.no_length)
        n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d Scripted\r\nConnection: close\r\n%s\r\n",
                     r.status, r.headers ? r.headers : "");
    else
        n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d Scripted\r\nContent-Length: %ld\r\n%s%s\r\n",
                     r.status, r.content_length > 0 ? r.content_length : (long)blen,
                     r.close ? "Connection: close\r\n" : "", r.headers ? r.headers : "");
    if (n < 0 || (size_t)n >= sizeof(hdr) || mh_send_all(c->fd, hdr, (size_t)n))
        return 0;
    if (r.trickle_ms > 0) {
        for (i = 0; i < blen; i++) {
            if (mh_pause(s, r.trickle_ms))
                return -1;
            if (mh_send_all(c->fd, r.body + i, 1))
                return 0;
        }
    }
    else if (blen && mh_send_all(c->fd, r.body, blen))
        return 0;
    return !(r.close || r.no_length || r.content_length > 0);
}

/* Serves every complete request in the connection's buffer. */
static inline int mh_serve_buffer(mh_server_t *s, mh_conn_t *c)
{
    for (;;) {
        char *end, cl[32];
        size_t head_len, body_len = 0;
        int keep;
        if (!c->buf)
            return 1;
        c->buf[c->len] = '\0';
        if (!(end = strstr(c->buf, "\r\n\r\n")))
            return 1;
        head_len = (size_t)(end - c->buf) + 4;
        c->buf[head_len - 2] = '\0';   /* the head ends with one "\r\n" */
        if (mh_head_value(c->buf, "Content-Length", cl, sizeof(cl)))
            body_len = (size_t)strtoul(cl, NULL, 10);
        c->buf[head_len - 2] = '\r';
        if (c->len < head_len + body_len)
            return 1;
        keep = mh_answer(s, c, c->buf, head_len - 2, c->buf + head_len, body_len);
        if (keep <= 0) {
            mh_conn_close(c);
            return keep;
        }
        memmove(c->buf, c->buf + head_len + body_len, c->len - head_len - body_len);
        c->len -= head_len + body_len;
    }
}

static inline void *mh_thread(void *arg)
{
    mh_server_t *s = arg;
    for (;;) {
        struct pollfd pf[2 + MH_MAX_CONNS];
        int map[2 + MH_MAX_CONNS], n = 0, i;
        pf[n].fd = s->stop_pipe[0]; pf[n].events = POLLIN; pf[n].revents = 0; map[n++] = -1;
        pf[n].fd = s->listen_fd; pf[n].events = POLLIN; pf[n].revents = 0; map[n++] = -1;
        for (i = 0; i < MH_MAX_CONNS; i++)
            if (s->conns[i].fd >= 0) {
                pf[n].fd = s->conns[i].fd; pf[n].events = POLLIN; pf[n].revents = 0;
                map[n++] = i;
            }
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pf[0].revents)
            break;
        if (pf[1].revents & POLLIN) {
            int fd = accept(s->listen_fd, NULL, NULL);
            if (fd >= 0) {
                for (i = 0; i < MH_MAX_CONNS && s->conns[i].fd >= 0; i++)
                    ;
                if (i == MH_MAX_CONNS)
                    close(fd);
                else {
                    s->conns[i].fd = fd;
                    pthread_mutex_lock(&s->mu);
                    s->connections++;
                    pthread_mutex_unlock(&s->mu);
                }
            }
        }
        for (i = 2; i < n; i++) {
            mh_conn_t *c = &s->conns[map[i]];
            ssize_t r;
            if (!pf[i].revents || c->fd != pf[i].fd)
                continue;
            if (!c->buf && !(c->buf = malloc(MH_MAX_REQ + 1))) {
                mh_conn_close(c);
                continue;
            }
            r = recv(c->fd, c->buf + c->len, MH_MAX_REQ - c->len, 0);
            if (r <= 0) {
                mh_conn_close(c);
                continue;
            }
            c->len += (size_t)r;
            if (mh_serve_buffer(s, c) < 0)
                goto out;
            if (c->fd >= 0 && c->len >= MH_MAX_REQ)
                mh_conn_close(c);
        }
    }
out:
    return NULL;
}

/* Starts a server with the script (which must outlive it); NULL on failure. */
static inline mh_server_t *mh_start(const mh_resp_t *script, size_t nscript)
{
    mh_server_t *s = calloc(1, sizeof(*s));
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int i, one = 1;
    if (!s)
        return NULL;
    for (i = 0; i < MH_MAX_CONNS; i++)
        s->conns[i].fd = -1;
    s->script = script;
    s->nscript = nscript;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((s->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0
        || setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))
        || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa))
        || listen(s->listen_fd, 16)
        || getsockname(s->listen_fd, (struct sockaddr *)&sa, &sl)
        || pipe(s->stop_pipe)) {
        if (s->listen_fd >= 0)
            close(s->listen_fd);
        free(s);
        return NULL;
    }
    s->port = ntohs(sa.sin_port);
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_create(&s->thread, NULL, mh_thread, s)) {
        close(s->listen_fd);
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    return s;
}

static inline void mh_stop(mh_server_t *s)
{
    int i;
    if (!s)
        return;
    if (write(s->stop_pipe[1], "x", 1) != 1)
        perror("mh_stop");
    pthread_join(s->thread, NULL);
    for (i = 0; i < MH_MAX_CONNS; i++)
        mh_conn_close(&s->conns[i]);
    close(s->listen_fd);
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static inline int mh_requests(mh_server_t *s)
{
    int n;
    pthread_mutex_lock(&s->mu);
    n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static inline int mh_connections(mh_server_t *s)
{
    int n;
    pthread_mutex_lock(&s->mu);
    n = s->connections;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Header `name` of the last request into out; 1 when present. */
static inline int mh_last_header(mh_server_t *s, const char *name, char *out, size_t outlen)
{
    int found;
    pthread_mutex_lock(&s->mu);
    found = mh_head_value(s->last_head, name, out, outlen);
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* The last request line ("GET /api/x HTTP/1.1") into out. */
static inline void mh_last_request_line(mh_server_t *s, char *out, size_t outlen)
{
    const char *e;
    size_t n;
    pthread_mutex_lock(&s->mu);
    e = strstr(s->last_head, "\r\n");
    n = e ? (size_t)(e - s->last_head) : strlen(s->last_head);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s->last_head, n);
    out[n] = '\0';
    pthread_mutex_unlock(&s->mu);
}

/* The last request body, NUL-terminated, into out. */
static inline void mh_last_body(mh_server_t *s, char *out, size_t outlen)
{
    size_t n;
    pthread_mutex_lock(&s->mu);
    n = s->last_body_len < outlen - 1 ? s->last_body_len : outlen - 1;
    memcpy(out, s->last_body, n);
    out[n] = '\0';
    pthread_mutex_unlock(&s->mu);
}

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
static inline int mh_closed_port(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa))
        && !getsockname(fd, (struct sockaddr *)&sa, &sl))
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

#endif
