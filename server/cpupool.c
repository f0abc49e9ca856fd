/* cpupool: worker threads for CPU-heavy jobs; see cpupool.h.
 *
 * Finished jobs go to a done list and one byte is written to a pipe that
 * the event loop watches; the loop then runs their done() callbacks. */
#include "server/cpupool.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <unistd.h>

#include "core/xalloc.h"

struct cpujob {
	STAILQ_ENTRY(cpujob) link;
	void (*work)(void *);
	void (*done)(void *);
	void *arg;
};
STAILQ_HEAD(cpujobq, cpujob);

struct cpupool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct cpujobq todo, finished;
	bool stopping;
	int nthreads;
	pthread_t *threads;
	int pipe_rd, pipe_wr;
	struct event *ev_done;
};

static void *thread_main(void *arg)
{
	struct cpupool *pool = arg;
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (STAILQ_EMPTY(&pool->todo) && !pool->stopping)
			pthread_cond_wait(&pool->wake, &pool->lock);
		struct cpujob *job = STAILQ_FIRST(&pool->todo);
		if (!job)
			break; /* stopping and nothing left */
		STAILQ_REMOVE_HEAD(&pool->todo, link);
		pthread_mutex_unlock(&pool->lock);
		job->work(job->arg);
		pthread_mutex_lock(&pool->lock);
		STAILQ_INSERT_TAIL(&pool->finished, job, link);
		char one = 1;
		if (write(pool->pipe_wr, &one, 1) < 0) { /* pipe full: the loop is already due to run */ }
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

static void run_finished(struct cpupool *pool)
{
	pthread_mutex_lock(&pool->lock);
	struct cpujobq done = STAILQ_HEAD_INITIALIZER(done);
	STAILQ_CONCAT(&done, &pool->finished);
	pthread_mutex_unlock(&pool->lock);
	struct cpujob *job;
	while ((job = STAILQ_FIRST(&done))) {
		STAILQ_REMOVE_HEAD(&done, link);
		job->done(job->arg);
		free(job);
	}
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	char buf[256];
	while (read(fd, buf, sizeof buf) > 0)
		;
	run_finished(arg);
}

struct cpupool *cpupool_create(struct event_base *base, int threads)
{
	struct cpupool *pool = xcalloc(1, sizeof *pool);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	STAILQ_INIT(&pool->todo);
	STAILQ_INIT(&pool->finished);
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		abort();
	pool->pipe_rd = fds[0], pool->pipe_wr = fds[1];
	pool->ev_done = event_new(base, pool->pipe_rd, EV_READ | EV_PERSIST, on_done, pool);
	event_add(pool->ev_done, NULL);
	pool->nthreads = threads;
	pool->threads = xcalloc((size_t)threads, sizeof(pthread_t));
	for (int i = 0; i < threads; i++)
		if (pthread_create(&pool->threads[i], NULL, thread_main, pool) != 0)
			abort();
	return pool;
}

void cpupool_submit(struct cpupool *pool, void (*work)(void *), void (*done)(void *), void *arg)
{
	struct cpujob *job = xmalloc(sizeof *job);
	job->work = work, job->done = done, job->arg = arg;
	pthread_mutex_lock(&pool->lock);
	STAILQ_INSERT_TAIL(&pool->todo, job, link);
	pthread_cond_signal(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
}

void cpupool_destroy(struct cpupool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	run_finished(pool);
	event_del(pool->ev_done);
	event_free(pool->ev_done);
	close(pool->pipe_rd);
	close(pool->pipe_wr);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool);
}
