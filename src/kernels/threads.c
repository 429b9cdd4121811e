/* A session-owned thread pool: n-1 workers wait for a run; a run publishes (fn, ctx, n_tasks)
 * under a new generation number, and the workers and the caller claim task indices from an
 * atomic counter until none is left. Waiting spins first (a recurrent model hands the pool one
 * product per time step, tens of microseconds apart: a sleeping worker takes longer than that
 * to wake), then sleeps on a condition variable; with more threads than CPUs the spinning turns
 * are yields of the CPU. */
#ifdef __linux__
#define _GNU_SOURCE /* sched_getaffinity */
#endif
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../internal.h"
#include "kernels.h"

/* pause iterations before sleeping: about 0.1-0.5 ms; an oversubscribed pool yields instead, a
 * twentieth as many times (a yield costs a system call, about 0.5-1 us) */
#define SPINS 20000
#define YIELDS (SPINS / 20)

struct rr_threads {
    rr_allocator a;
    int n;                    /* threads, the caller included */
    int started;              /* workers started (n-1 unless a start failed) */
    bool oversub;             /* more threads than CPUs to run them: waiting yields the CPU
                               * instead of spinning on it (a spinning thread would keep a
                               * working one off its CPU until the end of its time slice) */
    pthread_t *tid;           /* [n-1] */
    pthread_mutex_t mu;
    pthread_cond_t wake;      /* workers: a new generation or quit */
    pthread_cond_t done;      /* caller: busy reached 0 */
    int sleepers;             /* under mu: workers waiting on wake */
    bool caller_waits;        /* under mu: the caller waits on done */
    atomic_uint_fast64_t gen; /* bumped (release) after fn, ctx and n_tasks are written */
    atomic_bool quit;
    atomic_int busy;          /* workers not finished with gen */
    rr_task_fn fn;            /* the current run */
    void *ctx;
    int64_t n_tasks;
    atomic_int_fast64_t next; /* next task index to claim */
};

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void drain(rr_threads *p) {
    for (;;) {
        int64_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->n_tasks) return;
        p->fn(p->ctx, i);
    }
}

/* one turn of a wait: a pause, or giving the CPU away when the pool is oversubscribed */
static inline void wait_turn(const rr_threads *p) {
    if (p->oversub) sched_yield();
    else relax();
}

/* until gen differs from seen or quit is set: spin, then sleep; returns the new gen */
static uint64_t wait_gen(rr_threads *p, uint64_t seen) {
    for (int spin = 0, spins = p->oversub ? YIELDS : SPINS; spin < spins; spin++) {
        uint64_t g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != seen || atomic_load_explicit(&p->quit, memory_order_acquire)) return g;
        wait_turn(p);
    }
    pthread_mutex_lock(&p->mu);
    p->sleepers++;
    uint64_t g;
    while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
           !atomic_load_explicit(&p->quit, memory_order_acquire))
        pthread_cond_wait(&p->wake, &p->mu);
    p->sleepers--;
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *worker(void *arg) {
    rr_threads *p = arg;
    uint64_t seen = 0;
    for (;;) {
        seen = wait_gen(p, seen);
        if (atomic_load_explicit(&p->quit, memory_order_acquire)) break;
        drain(p);
        if (atomic_fetch_sub_explicit(&p->busy, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            if (p->caller_waits) pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

int rr_threads_count(const rr_threads *pool) { return pool ? pool->n : 1; }

int rr_cpus_usable(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

void rr_threads_free(rr_threads *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store_explicit(&p->quit, true, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++) pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    rr_allocator a = p->a;
    rr_free(&a, p->tid);
    rr_free(&a, p);
}

int rr_threads_new(int n, const rr_allocator *a, rr_threads **out) {
    if (!out) return RNNRUN_ERR_ARG;
    *out = NULL;
    if (n < 1 || n > 256) return RNNRUN_ERR_ARG;
    if (!a) a = &rr_default_allocator;
    rr_threads *p = rr_alloc(a, sizeof *p);
    if (!p) return RNNRUN_ERR_NOMEM;
    *p = (rr_threads){.a = *a, .n = n, .oversub = n > rr_cpus_usable()};
    atomic_init(&p->next, 0);
    atomic_init(&p->gen, 0);
    atomic_init(&p->quit, false);
    atomic_init(&p->busy, 0);
    p->tid = rr_alloc(a, sizeof(pthread_t) * (size_t)n);
    if (!p->tid) {
        rr_free(a, p);
        return RNNRUN_ERR_NOMEM;
    }
    if (pthread_mutex_init(&p->mu, NULL)) goto fail_mu;
    if (pthread_cond_init(&p->wake, NULL)) goto fail_wake;
    if (pthread_cond_init(&p->done, NULL)) goto fail_done;
    for (int i = 0; i < n - 1; i++) {
        if (pthread_create(&p->tid[i], NULL, worker, p)) {
            rr_threads_free(p);
            return RNNRUN_ERR_NOMEM;
        }
        p->started++;
    }
    *out = p;
    return RNNRUN_OK;
fail_done:
    pthread_cond_destroy(&p->wake);
fail_wake:
    pthread_mutex_destroy(&p->mu);
fail_mu:
    rr_free(a, p->tid);
    rr_free(a, p);
    return RNNRUN_ERR_NOMEM;
}

void rr_threads_run(rr_threads *p, int64_t n_tasks, rr_task_fn fn, void *ctx) {
    if (n_tasks <= 0) return;
    if (!p || p->started == 0 || n_tasks == 1) {
        for (int64_t i = 0; i < n_tasks; i++) fn(ctx, i);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store_explicit(&p->busy, p->started, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    /* a worker that went to sleep checked gen under mu: it either saw the new gen or is counted */
    pthread_mutex_lock(&p->mu);
    if (p->sleepers) pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p);
    for (int spin = 0; atomic_load_explicit(&p->busy, memory_order_acquire) > 0; spin++) {
        if (spin < (p->oversub ? YIELDS : SPINS)) {
            wait_turn(p);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        p->caller_waits = true;
        while (atomic_load_explicit(&p->busy, memory_order_acquire) > 0) pthread_cond_wait(&p->done, &p->mu);
        p->caller_waits = false;
        pthread_mutex_unlock(&p->mu);
    }
}

/* pause iterations (about 20 ns each here: 20 us) before a barrier's waiter starts yielding its
 * CPU; a step's wait on a thread that runs is a few us */
#define BARRIER_SPINS 1000

void rr_barrier_init(rr_barrier *b, int n) {
    atomic_init(&b->count, 0);
    atomic_init(&b->gen, 0);
    b->n = n;
}

void rr_barrier_wait(rr_barrier *b) {
    const unsigned g = atomic_load_explicit(&b->gen, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) == b->n - 1) {
        atomic_store_explicit(&b->count, 0, memory_order_relaxed);
        atomic_store_explicit(&b->gen, g + 1, memory_order_release);
        return;
    }
    for (int spin = 0; atomic_load_explicit(&b->gen, memory_order_acquire) == g; spin++) {
        if (spin < BARRIER_SPINS) relax();
        else sched_yield();
    }
}
