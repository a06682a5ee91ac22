/* The hashing core's loops in C: the batch buffer, token hashes, shingle hashes, MinHash minima.
 *
 * Each function computes exactly what its Python counterpart computes (text/byte_tokens.py's
 * batch_buffer and fingerprint/minhash.py's numpy code are the definition and the fallback;
 * tests/test_kernels.py checks they agree bit for bit), in one pass over memory instead of
 * one pass per arithmetic step.
 * Arrays come in and go out through the buffer protocol, so this module needs no numpy
 * headers; the callers allocate every output. The GIL is released while a loop runs, so
 * threads (the Dask engine's workers) hash in parallel.
 *
 * The MinHash loop is compiled twice where the compiler can (GCC or Clang on x86-64
 * Linux): for AVX-512, for AVX2 and for the baseline, and the loader picks the one the processor runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define TOKEN_SEED 0x9E3779B97F4A7C15ULL
#define SHINGLE_MULTIPLIER 0xD6E8FEB86659FD93ULL

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__INTEL_COMPILER)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

static inline uint64_t fmix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    return h ^ (h >> 16);
}

/* Little-endian read of n (1..8) bytes, zero-extended. */
static inline uint64_t load_le(const uint8_t *p, Py_ssize_t n) {
    uint64_t v = 0;
    for (Py_ssize_t i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Little-endian read of 8 bytes. */
static inline uint64_t load8(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define LOWS 0x7F7F7F7F7F7F7F7FULL

/* Byte index (0..7) of the first zero byte of x read little-endian; x must have one. The
 * classic test (x - 1s) & ~x & 0x80s may also flag bytes above the first zero, never below. */
static inline int first_zero(uint64_t x) { return __builtin_ctzll((x - ONES) & ~x & HIGHS) >> 3; }
static inline int has_zero(uint64_t x) { return ((x - ONES) & ~x & HIGHS) != 0; }
/* Byte index of the first non-zero byte; x must have one (exact: no carry crosses bytes). */
static inline int first_nonzero(uint64_t x) { return __builtin_ctzll((((x & LOWS) + LOWS) | x) & HIGHS) >> 3; }

/* The buffers one call holds: each taken with take(), all given back by release(). */
typedef struct {
    Py_buffer views[5];
    int n;
} Views;

/* obj's buffer as `itemsize`-byte items (writable if asked), held in `v`; -1 with an error set. */
static int take(Views *v, PyObject *obj, Py_ssize_t itemsize, int writable, const char *name) {
    Py_buffer *view = &v->views[v->n];
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0) return -1;
    v->n++;
    if (view->len % itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes is not a whole number of %zd-byte items", name, view->len,
                     itemsize);
        return -1;
    }
    return 0;
}

static void release(Views *v) {
    while (v->n) PyBuffer_Release(&v->views[--v->n]);
}

/* 0 when off[0..n_docs] ascend within [0, n]; else -1 with a ValueError naming `what`. */
static int offsets_ascend(const int64_t *off, Py_ssize_t n_docs, Py_ssize_t n, const char *what) {
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        if (off[d] < 0 || off[d] > off[d + 1] || off[d + 1] > n) {
            PyErr_Format(PyExc_ValueError, "offsets must ascend within the %s", what);
            return -1;
        }
    }
    return 0;
}

/* lower(buf, lut, separators) -> bytes
 *
 * `buf` (UTF-8) with every ASCII byte through the 128-byte table `lut` and every character whose
 * code point is in `separators` (uint32, ascending) overwritten with zero bytes; other
 * characters are copied. Binary search per non-ASCII character: linear in the text whatever
 * the number of separators.
 */
static PyObject *lower(PyObject *self, PyObject *args) {
    PyObject *o_buf, *o_lut, *o_seps, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO", &o_buf, &o_lut, &o_seps)) return NULL;
    Views v = {.n = 0};
    if (take(&v, o_buf, 1, 0, "buf") < 0 || take(&v, o_lut, 1, 0, "lut") < 0 ||
        take(&v, o_seps, 4, 0, "separators") < 0)
        goto done;
    const Py_buffer *buf = &v.views[0], *lut = &v.views[1], *seps = &v.views[2];
    if (lut->len < 128) {
        PyErr_SetString(PyExc_ValueError, "lut must map every ASCII byte");
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, buf->len);
    if (!result) goto done;
    const uint8_t *s = buf->buf, *t = lut->buf;
    const uint32_t *sep = seps->buf;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(result);
    Py_ssize_t n = buf->len, n_sep = seps->len / 4;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            out[i++] = t[c];
            continue;
        }
        Py_ssize_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i + len > n) len = n - i;
        uint32_t cp = len == 1 ? c : c & (0x7F >> len);
        for (Py_ssize_t j = 1; j < len; j++) cp = (cp << 6) | (s[i + j] & 0x3F);
        Py_ssize_t lo = 0, hi = n_sep;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (sep[mid] < cp) lo = mid + 1;
            else hi = mid;
        }
        if (len > 1 && lo < n_sep && sep[lo] == cp) memset(out + i, 0, len);
        else memcpy(out + i, s + i, len);
        i += len;
    }
    Py_END_ALLOW_THREADS
done:
    release(&v);
    return result;
}

/* token_hashes(lowered, doc_starts, hashes, offsets) -> number of tokens
 *
 * lowered: the batch buffer after TOKEN_LUT (word bytes non-zero, separators 0).
 * doc_starts: int64, where each document starts in it (ascending).
 * hashes: uint64 out, room for every token (len(lowered) // 2 + 1 always suffices).
 * offsets: int64 out, len(doc_starts) + 1: the first token of each document, then the count.
 */
static PyObject *token_hashes(PyObject *self, PyObject *args) {
    PyObject *o_buf, *o_starts, *o_hashes, *o_offsets, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOO", &o_buf, &o_starts, &o_hashes, &o_offsets)) return NULL;
    Views v = {.n = 0};
    if (take(&v, o_buf, 1, 0, "lowered") < 0 || take(&v, o_starts, 8, 0, "doc_starts") < 0 ||
        take(&v, o_hashes, 8, 1, "hashes") < 0 || take(&v, o_offsets, 8, 1, "offsets") < 0)
        goto done;
    Py_ssize_t n = v.views[0].len, n_docs = v.views[1].len / 8, room = v.views[2].len / 8, count = 0;
    if (v.views[3].len / 8 != n_docs + 1) {
        PyErr_SetString(PyExc_ValueError, "offsets must have one more item than doc_starts");
        goto done;
    }
    const uint8_t *s = v.views[0].buf;
    const int64_t *ds = v.views[1].buf;
    uint64_t *h = v.views[2].buf;
    int64_t *off = v.views[3].buf;
    int overflow = 0;
    Py_BEGIN_ALLOW_THREADS
    /* Eight bytes at a time where eight remain: a token of up to 8 bytes (most words) is
     * found and hashed with one read and no byte loop. */
    Py_ssize_t d = 0, i = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t x = load8(s + i);
            if (x) {
                i += first_nonzero(x);
                break;
            }
            i += 8;
        }
        while (i < n && !s[i]) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        uint64_t hv = TOKEN_SEED;
        for (;;) {
            if (i + 8 <= n) {
                uint64_t x = load8(s + i);
                if (!has_zero(x)) {
                    hv = fmix64(hv ^ x);
                    i += 8;
                    continue;
                }
                int len = first_zero(x);
                if (len) hv = fmix64(hv ^ (x & ((1ULL << (8 * len)) - 1)));
                i += len;
            } else {
                Py_ssize_t end = i;
                while (end < n && s[end]) end++;
                for (; i < end; i += 8) hv = fmix64(hv ^ load_le(s + i, end - i < 8 ? end - i : 8));
                i = end;
            }
            break;
        }
        while (d < n_docs && ds[d] <= start) off[d++] = count;
        if (count == room) {
            overflow = 1;
            break;
        }
        h[count++] = hv;
    }
    while (d < n_docs) off[d++] = count;
    off[n_docs] = count;
    Py_END_ALLOW_THREADS
    if (overflow) PyErr_SetString(PyExc_ValueError, "hashes has no room for every token");
    else result = PyLong_FromSsize_t(count);
done:
    release(&v);
    return result;
}

/* shingle_hashes(token_hashes, offsets, k, values, out_offsets) -> number of shingles
 *
 * Per document, the 32-bit hash of every k consecutive tokens (the polynomial mod 2^64 in
 * SHINGLE_MULTIPLIER, fmix64, top 32 bits); a document of 1 to k-1 tokens has one shingle of
 * all of them. values: uint32 out, as many items as tokens; out_offsets: int64 out, like offsets.
 */
static PyObject *shingle_hashes(PyObject *self, PyObject *args) {
    PyObject *o_h, *o_off, *o_values, *o_out, *result = NULL;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OOnOO", &o_h, &o_off, &k, &o_values, &o_out)) return NULL;
    if (k < 1) {
        PyErr_SetString(PyExc_ValueError, "k must be at least 1");
        return NULL;
    }
    Views v = {.n = 0};
    if (take(&v, o_h, 8, 0, "token_hashes") < 0 || take(&v, o_off, 8, 0, "offsets") < 0 ||
        take(&v, o_values, 4, 1, "values") < 0 || take(&v, o_out, 8, 1, "out_offsets") < 0)
        goto done;
    Py_ssize_t n = v.views[0].len / 8, n_docs = v.views[1].len / 8 - 1, room = v.views[2].len / 4, count = 0;
    const uint64_t *h = v.views[0].buf;
    const int64_t *off = v.views[1].buf;
    uint32_t *values = v.views[2].buf;
    int64_t *out = v.views[3].buf;
    if (n_docs < 0 || v.views[3].len / 8 != n_docs + 1 || room < n) {
        PyErr_SetString(PyExc_ValueError, "out_offsets must match offsets, values must hold a value a token");
        goto done;
    }
    if (offsets_ascend(off, n_docs, n, "token hashes") < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        out[d] = count;
        Py_ssize_t lo = off[d], hi = off[d + 1], len = hi - lo;
        Py_ssize_t width = len >= k ? k : len;
        Py_ssize_t last = len >= k ? hi - k : lo + (len ? 0 : -1);
        for (Py_ssize_t i = lo; i <= last; i++) {
            uint64_t acc = 0;
            for (Py_ssize_t j = 0; j < width; j++) acc = acc * SHINGLE_MULTIPLIER + h[i + j];
            values[count++] = (uint32_t)(fmix64(acc) >> 32);
        }
    }
    out[n_docs] = count;
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(count);
done:
    release(&v);
    return result;
}

MULTIVERSION
static void minima(const uint32_t *restrict hv, const int64_t *restrict off, Py_ssize_t n_docs,
                   const uint32_t *restrict a, const uint32_t *restrict b, Py_ssize_t num_perm, int premix,
                   uint32_t *restrict sig) {
    for (Py_ssize_t d = 0; d < n_docs; d++) {
        uint32_t *restrict row = sig + d * num_perm;
        for (Py_ssize_t p = 0; p < num_perm; p++) row[p] = 0xFFFFFFFFU;
        for (int64_t i = off[d]; i < off[d + 1]; i++) {
            uint32_t x = premix ? fmix32(hv[i]) : hv[i];
            for (Py_ssize_t p = 0; p < num_perm; p++) {
                uint32_t y = a[p] * x + b[p];
                row[p] = y < row[p] ? y : row[p];
            }
        }
    }
}

/* signatures(shingle_values, offsets, a, b, premix, out)
 *
 * datasketch affine32 MinHash of each document: out[d, p] = min over its shingles h of
 * (a[p] * fmix32(h) + b[p]) mod 2^32 (fmix32 only if premix), all ones for a document
 * without shingles. out: uint32, (n_docs, num_perm) row-major.
 */
static PyObject *signatures(PyObject *self, PyObject *args) {
    PyObject *o_h, *o_off, *o_a, *o_b, *o_out, *result = NULL;
    int premix;
    if (!PyArg_ParseTuple(args, "OOOOpO", &o_h, &o_off, &o_a, &o_b, &premix, &o_out)) return NULL;
    Views v = {.n = 0};
    if (take(&v, o_h, 4, 0, "shingle_values") < 0 || take(&v, o_off, 8, 0, "offsets") < 0 ||
        take(&v, o_a, 4, 0, "a") < 0 || take(&v, o_b, 4, 0, "b") < 0 || take(&v, o_out, 4, 1, "out") < 0)
        goto done;
    Py_ssize_t n = v.views[0].len / 4, n_docs = v.views[1].len / 8 - 1, num_perm = v.views[2].len / 4;
    const int64_t *off = v.views[1].buf;
    if (n_docs < 0 || v.views[3].len != v.views[2].len || v.views[4].len / 4 != n_docs * num_perm) {
        PyErr_SetString(PyExc_ValueError, "a and b must match, out must hold (documents, permutations)");
        goto done;
    }
    if (offsets_ascend(off, n_docs, n, "shingle values") < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    minima(v.views[0].buf, off, n_docs, v.views[2].buf, v.views[3].buf, num_perm, premix, v.views[4].buf);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&v);
    return result;
}

static PyMethodDef methods[] = {
    {"lower", lower, METH_VARARGS, "ASCII through a table, listed characters zeroed."},
    {"token_hashes", token_hashes, METH_VARARGS, "64-bit token hashes of a lowered batch buffer."},
    {"shingle_hashes", shingle_hashes, METH_VARARGS, "32-bit k-shingle hashes from token hashes."},
    {"signatures", signatures, METH_VARARGS, "affine32 MinHash minima of shingle hashes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels",
                                    "The hashing core's loops in C (see fingerprint/minhash.py).", -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
