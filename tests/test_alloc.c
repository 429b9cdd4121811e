/* The allocator hook sees every allocation of a session: this program is linked with
 * -Wl,--wrap=malloc,calloc,realloc,free,mmap,mmap64, so every call the library (linked statically into
 * it) makes to them is counted (the default allocator maps big blocks with mmap). With a hook, creating, binding, planning two shapes, running, reading
 * and freeing a session calls malloc not once; with the default allocator the same calls do (the
 * control, which shows the counting works). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testutil.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);

static int g_counting;  /* this test process's only mutable global: the wrap needs one */
static long g_sys_allocs;

void *__wrap_malloc(size_t n) {
    g_sys_allocs += g_counting;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size) {
    g_sys_allocs += g_counting;
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) {
    g_sys_allocs += g_counting;
    return __real_realloc(p, n);
}
void __wrap_free(void *p) { __real_free(p); }
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    g_sys_allocs += g_counting;
    return __real_mmap(addr, len, prot, flags, fd, off);
}
/* mmap's name with _FILE_OFFSET_BITS=64 */
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    g_sys_allocs += g_counting;
    return __real_mmap64(addr, len, prot, flags, fd, off);
}

typedef struct hook {
    long allocs, live;
} hook;

static void *hook_alloc(void *user, size_t size) {
    hook *h = user;
    h->allocs++;
    h->live++;
    return __real_malloc(size);
}
static void hook_free(void *user, void *p) {
    ((hook *)user)->live--;
    __real_free(p);
}

/* session life on loop_tanh with two batch sizes; returns malloc calls made meanwhile */
static long session_life(const rnnrun_model *m, const rnnrun_session_options *o) {
    static float x[3 * 6 * 16];
    rnnrun_tensor t2 = tu_tensor(RNNRUN_FLOAT, "2,6,16", x), t3 = tu_tensor(RNNRUN_FLOAT, "3,6,16", x);
    rnnrun_tensor y;
    g_sys_allocs = 0;
    g_counting = 1;
    rnnrun_session *s;
    int st = rnnrun_session_new_with_options(m, o, &s);
    int st2 = st ? st : rnnrun_session_set_input(s, 0, &t2);
    int st3 = st2 ? st2 : rnnrun_session_run(s);
    int st4 = st3 ? st3 : rnnrun_session_set_input(s, 0, &t3);
    int st5 = st4 ? st4 : rnnrun_session_run(s);
    int st6 = st5 ? st5 : rnnrun_session_output(s, 0, &y);
    int st7 = st6 ? st6 : rnnrun_session_run(s);
    rnnrun_session_free(st ? NULL : s);
    g_counting = 0;
    ck_assert_int_eq(st7, RNNRUN_OK);
    return g_sys_allocs;
}

START_TEST(hook_sees_every_allocation) {
    char path[4200], err[1200];
    snprintf(path, sizeof path, "%s/models/loop_tanh/model.onnx", tu_source_root());
    rnnrun_model *m;
    ck_assert_msg(rnnrun_model_load_file(path, &m, err, sizeof err) == RNNRUN_OK, "%s", err);
    /* control: the default allocator is malloc, and the wrap counts it */
    long with_malloc = session_life(m, NULL);
    ck_assert_int_gt(with_malloc, 3);
    hook h = {0, 0};
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.allocator.alloc = hook_alloc;
    o.allocator.free = hook_free;
    o.allocator.user = &h;
    ck_assert_int_eq(session_life(m, &o), 0);
    ck_assert_int_eq(h.allocs, with_malloc); /* the hook got exactly what malloc got before */
    ck_assert_int_eq(h.live, 0);
    rnnrun_model_free(m);
}
END_TEST

int main(void) {
    const TTest *tests[] = {hook_sees_every_allocation};
    return tu_main("alloc", tests, 1);
}
