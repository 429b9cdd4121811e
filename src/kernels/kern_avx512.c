/* The float kernels for AVX-512F (built with -mavx512f -mfma; called only when the CPU has it). */
#include <immintrin.h>

#define VEC __m512
#define VMASK __mmask16
#define W 16
#define MR 12
#define NP 2
#define KNAME(x) x##_avx512
#define KNAME_STR "avx512"
#define KVARIANT RR_KERN_AVX512

static inline VEC v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, VEC v) { _mm512_storeu_ps(p, v); }
static inline VEC v_set1(float f) { return _mm512_set1_ps(f); }
static inline VEC v_fma(VEC a, VEC b, VEC c) { return _mm512_fmadd_ps(a, b, c); }
static inline VEC v_add(VEC a, VEC b) { return _mm512_add_ps(a, b); }
static inline VEC v_sub(VEC a, VEC b) { return _mm512_sub_ps(a, b); }
static inline VEC v_mul(VEC a, VEC b) { return _mm512_mul_ps(a, b); }
static inline VEC v_div(VEC a, VEC b) { return _mm512_div_ps(a, b); }
static inline VEC v_min(VEC a, VEC b) { return _mm512_min_ps(a, b); }
static inline VEC v_max(VEC a, VEC b) { return _mm512_max_ps(a, b); }
static inline __m512i v_bits(VEC a) { return _mm512_castps_si512(a); }
static inline VEC v_abs(VEC a) {
    return _mm512_castsi512_ps(_mm512_and_si512(v_bits(a), _mm512_set1_epi32(0x7fffffff)));
}
static inline VEC v_copysign(VEC mag, VEC sgn) {
    __m512i s = _mm512_and_si512(v_bits(sgn), _mm512_set1_epi32((int)0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(v_bits(mag), s));
}
static inline VMASK v_lt(VEC a, VEC b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline VMASK v_isnan(VEC a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static inline VEC v_sel(VMASK m, VEC t, VEC f) { return _mm512_mask_blend_ps(m, f, t); }
static inline VEC v_ldexp_magic(VEC p, VEC t) {
    __m512i n = _mm512_sub_epi32(v_bits(t), _mm512_set1_epi32(0x4b400000));
    return _mm512_castsi512_ps(_mm512_add_epi32(v_bits(p), _mm512_slli_epi32(n, 23)));
}

#include "kern_tmpl.h"
