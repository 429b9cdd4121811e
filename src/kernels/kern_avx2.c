/* The float kernels for AVX2 + FMA (built with -mavx2 -mfma; called only when the CPU has them). */
#include <immintrin.h>

#define VEC __m256
#define VMASK __m256
#define W 8
#define MR 6
#define NP 1
#define KNAME(x) x##_avx2
#define KNAME_STR "avx2"
#define KVARIANT RR_KERN_AVX2

static inline VEC v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, VEC v) { _mm256_storeu_ps(p, v); }
static inline VEC v_set1(float f) { return _mm256_set1_ps(f); }
static inline VEC v_fma(VEC a, VEC b, VEC c) { return _mm256_fmadd_ps(a, b, c); }
static inline VEC v_add(VEC a, VEC b) { return _mm256_add_ps(a, b); }
static inline VEC v_sub(VEC a, VEC b) { return _mm256_sub_ps(a, b); }
static inline VEC v_mul(VEC a, VEC b) { return _mm256_mul_ps(a, b); }
static inline VEC v_div(VEC a, VEC b) { return _mm256_div_ps(a, b); }
static inline VEC v_min(VEC a, VEC b) { return _mm256_min_ps(a, b); }
static inline VEC v_max(VEC a, VEC b) { return _mm256_max_ps(a, b); }
static inline VEC v_abs(VEC a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline VEC v_copysign(VEC mag, VEC sgn) {
    return _mm256_or_ps(mag, _mm256_and_ps(sgn, _mm256_set1_ps(-0.0f)));
}
static inline VMASK v_lt(VEC a, VEC b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline VMASK v_isnan(VEC a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline VEC v_sel(VMASK m, VEC t, VEC f) { return _mm256_blendv_ps(f, t, m); }
static inline VEC v_ldexp_magic(VEC p, VEC t) {
    __m256i n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4b400000));
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(n, 23)));
}

#include "kern_tmpl.h"
