/* The float kernels in portable C: GCC/clang vector extensions of 4 lanes (SSE2 on x86-64, NEON
 * on ARM64, scalar code elsewhere). No FMA: a*b+c rounds twice. */
#include <stdint.h>
#include <string.h>

typedef float rr_v4f __attribute__((vector_size(16)));
typedef int32_t rr_v4i __attribute__((vector_size(16)));

#define VEC rr_v4f
#define VMASK rr_v4i
#define W 4
#define MR 4
#define NP 1
#define KNAME(x) x##_generic
#define KNAME_STR "generic"
#define KVARIANT RR_KERN_GENERIC

static inline VEC v_load(const float *p) {
    VEC v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void v_store(float *p, VEC v) { memcpy(p, &v, sizeof v); }
static inline VEC v_set1(float f) { return (VEC){f, f, f, f}; }
static inline VEC v_fma(VEC a, VEC b, VEC c) { return a * b + c; }
static inline VEC v_add(VEC a, VEC b) { return a + b; }
static inline VEC v_sub(VEC a, VEC b) { return a - b; }
static inline VEC v_mul(VEC a, VEC b) { return a * b; }
static inline VEC v_div(VEC a, VEC b) { return a / b; }
static inline rr_v4i v_bits(VEC a) { return (rr_v4i)a; }
static inline VEC v_from(rr_v4i a) { return (VEC)a; }
static inline VEC v_sel(VMASK m, VEC t, VEC f) { return v_from((m & v_bits(t)) | (~m & v_bits(f))); }
/* min/max: NaN in b propagates (as the x86 instructions do with b second) */
static inline VEC v_min(VEC a, VEC b) { return v_sel(a < b, a, b); }
static inline VEC v_max(VEC a, VEC b) { return v_sel(a > b, a, b); }
static inline VEC v_abs(VEC a) { return v_from(v_bits(a) & 0x7fffffff); }
static inline VEC v_copysign(VEC mag, VEC sgn) { return v_from(v_bits(mag) | (v_bits(sgn) & INT32_MIN)); }
static inline VMASK v_lt(VEC a, VEC b) { return a < b; }
static inline VMASK v_isnan(VEC a) { return a != a; }
/* unsigned arithmetic: wraps (for NaN lanes, whose result is replaced) instead of overflowing */
typedef uint32_t rr_v4u __attribute__((vector_size(16)));
static inline VEC v_ldexp_magic(VEC p, VEC t) {
    rr_v4u n = (rr_v4u)v_bits(t) - 0x4b400000u;
    return (VEC)((rr_v4u)v_bits(p) + (n << 23));
}

#include "kern_tmpl.h"
