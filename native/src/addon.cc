// N-API entry of seglens-native: registers the functions and converts errors. N-API (not the V8
// API) so that one build loads in Node and in Electron of any version; no external buffers are
// created (Electron refuses them): every function works on memory JavaScript already owns.
#include <dnnl.hpp>
#include <node_api.h>
#include <omp.h>

#include <string>

#include "conv.h"
#include "elementwise.h"
#include "napi-args.h"

namespace seglens {
namespace {

napi_value num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

napi_value str(napi_env env, const std::string& s) {
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

void set(napi_env env, napi_value obj, const char* key, napi_value v) { napi_set_named_property(env, obj, key, v); }

/** Runs a kernel body, turning C++ errors into JavaScript exceptions. */
template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const JsError& e) {
    if (e.range) napi_throw_range_error(env, "SEGLENS_NATIVE_RANGE", e.what());
    else napi_throw_error(env, "SEGLENS_NATIVE_ARGS", e.what());
  } catch (const dnnl::error& e) {
    napi_throw_error(env, "SEGLENS_NATIVE_DNNL", (std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")").c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "SEGLENS_NATIVE", e.what());
  }
  return nullptr;
}

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

napi_value Info(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    napi_value o;
    napi_create_object(env, &o);
    const dnnl_version_t* v = dnnl_version();
    set(env, o, "library", str(env, "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch)));
    set(env, o, "isa", str(env, isaName(dnnl::get_effective_cpu_isa())));
    set(env, o, "threads", num(env, omp_get_max_threads()));
    set(env, o, "processors", num(env, omp_get_num_procs()));
    set(env, o, "runtime", str(env, "OpenMP"));
    return o;
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 1);
    int64_t n = a.integer(0);
    if (n < 1 || n > 1024) throw JsError("threads must be between 1 and 1024");
    // oneDNN splits a primitive's work for the thread count it was created under: primitives
    // cached under another count would keep running on that many threads.
    if (n != omp_get_max_threads()) convCacheClear();
    omp_set_num_threads(static_cast<int>(n));
    return num(env, omp_get_max_threads());
  });
}

/** The 17 shape numbers of a convolution, from argument `i` on. */
ConvShape convShape(const Args& a, size_t i) {
  ConvShape s{};
  int64_t* f = &s.n;
  for (size_t k = 0; k < 17; k++) {
    f[k] = a.integer(i + k);
    if (f[k] < 0) throw JsError("negative convolution dimension");
  }
  if (s.n < 1 || s.ic < 1 || s.oc < 1 || s.kh < 1 || s.kw < 1 || s.sh < 1 || s.sw < 1 || s.dh < 1 || s.dw < 1) throw JsError("bad convolution shape");
  return s;
}

int64_t inSize(const ConvShape& s) { return s.n * s.ih * s.iw * s.ic; }
int64_t outSize(const ConvShape& s) { return s.n * s.oh * s.ow * s.oc; }
int64_t filterSize(const ConvShape& s) { return s.kh * s.kw * s.ic * s.oc; }

// conv2d(heap, x, w, bias|-1, y, ...shape17, activation, alpha)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 24);
    a.buffer(0);
    ConvShape s = convShape(a, 5);
    int64_t act = a.integer(22);
    if (act < 0 || act > 5) throw JsError("unknown activation");
    convForward(s, a.floats(1, inSize(s)), a.floats(2, filterSize(s)), a.optionalFloats(3, s.oc), a.floats(4, outSize(s)),
                static_cast<Activation>(act), static_cast<float>(a.number(23)));
    return static_cast<napi_value>(nullptr);
  });
}

// conv2dBackpropInput(heap, dy, w, dx, ...shape17)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 21);
    a.buffer(0);
    ConvShape s = convShape(a, 4);
    convBackwardData(s, a.floats(1, outSize(s)), a.floats(2, filterSize(s)), a.floats(3, inSize(s)));
    return static_cast<napi_value>(nullptr);
  });
}

// conv2dBackpropFilter(heap, x, dy, dw, ...shape17)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 21);
    a.buffer(0);
    ConvShape s = convShape(a, 4);
    convBackwardWeights(s, a.floats(1, inSize(s)), a.floats(2, outSize(s)), a.floats(3, filterSize(s)));
    return static_cast<napi_value>(nullptr);
  });
}

// convImplementation(kind 0|1|2, ...shape17) -> oneDNN implementation name
napi_value ConvImplementation(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 18);
    int64_t kind = a.integer(0);
    if (kind < 0 || kind > 2) throw JsError("kind must be 0 (forward), 1 (backward data) or 2 (backward weights)");
    return str(env, convImplementation(convShape(a, 1), static_cast<int>(kind)));
  });
}

void checkRows(int64_t rows, int64_t c) {
  if (rows < 1 || c < 1) throw JsError("rows and channels must be positive");
}

// batchNormTrain(heap, x, gamma, beta, y, mean, variance, rows, c, eps, relu)
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 11);
    a.buffer(0);
    int64_t rows = a.integer(7), c = a.integer(8);
    checkRows(rows, c);
    batchNormTrain(rows, c, a.floats(1, rows * c), a.floats(2, c), a.floats(3, c), static_cast<float>(a.number(9)), a.integer(10) != 0,
                   a.floats(4, rows * c), a.floats(5, c), a.floats(6, c));
    return static_cast<napi_value>(nullptr);
  });
}

// batchNormGrad(heap, x, y, dy, gamma, mean, variance, dx, dgamma, dbeta, rows, c, eps, relu)
napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 14);
    a.buffer(0);
    int64_t rows = a.integer(10), c = a.integer(11);
    checkRows(rows, c);
    int64_t n = rows * c;
    batchNormGrad(rows, c, a.floats(1, n), a.floats(2, n), a.floats(3, n), a.floats(4, c), a.floats(5, c), a.floats(6, c),
                  static_cast<float>(a.number(12)), a.integer(13) != 0, a.floats(7, n), a.floats(8, c), a.floats(9, c));
    return static_cast<napi_value>(nullptr);
  });
}

// batchNormInfer(heap, x, gamma, beta, movingMean, movingVariance, y, rows, c, eps, relu)
napi_value BatchNormInfer(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 11);
    a.buffer(0);
    int64_t rows = a.integer(7), c = a.integer(8);
    checkRows(rows, c);
    batchNormInfer(rows, c, a.floats(1, rows * c), a.floats(2, c), a.floats(3, c), a.floats(4, c), a.floats(5, c), static_cast<float>(a.number(9)),
                   a.integer(10) != 0, a.floats(6, rows * c));
    return static_cast<napi_value>(nullptr);
  });
}

// sumRows(heap, x, out, rows, c)
napi_value SumRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 5);
    a.buffer(0);
    int64_t rows = a.integer(3), c = a.integer(4);
    checkRows(rows, c);
    sumRows(rows, c, a.floats(1, rows * c), a.floats(2, c));
    return static_cast<napi_value>(nullptr);
  });
}

// maxPoolGrad(heap, dy, x, dx, n, ih, iw, c, oh, ow, fh, fw, sh, sw, top, left)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 16);
    a.buffer(0);
    PoolShape s{};
    int64_t* f = &s.n;
    for (size_t k = 0; k < 12; k++) f[k] = a.integer(4 + k);
    if (s.n < 1 || s.c < 1 || s.fh < 1 || s.fw < 1 || s.sh < 1 || s.sw < 1) throw JsError("bad pooling shape");
    maxPoolGrad(s, a.floats(1, s.n * s.oh * s.ow * s.c), a.floats(2, s.n * s.ih * s.iw * s.c), a.floats(3, s.n * s.ih * s.iw * s.c));
    return static_cast<napi_value>(nullptr);
  });
}

// adam(heap, value, m, v, g, newValue, newM, newV, n, lr, beta1, beta2, eps, oneMinusAccBeta1, oneMinusAccBeta2)
napi_value Adam(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 15);
    a.buffer(0);
    int64_t n = a.integer(8);
    if (n < 0) throw JsError("negative size");
    adamStep(n, a.floats(1, n), a.floats(2, n), a.floats(3, n), a.floats(4, n), a.number(9), a.number(10), a.number(11), a.number(12),
             static_cast<float>(a.number(13)), static_cast<float>(a.number(14)), a.floats(5, n), a.floats(6, n), a.floats(7, n));
    return static_cast<napi_value>(nullptr);
  });
}

// copyRuns(heap, src, dst, rows, runBytes, srcStrideBytes, dstStrideBytes): byte ranges checked whole
napi_value CopyRuns(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 7);
    a.buffer(0);
    int64_t rows = a.integer(3), run = a.integer(4), ss = a.integer(5), ds = a.integer(6);
    if (rows < 0 || run < 0 || ss < run || ds < run) throw JsError("bad copy geometry");
    if (rows == 0 || run == 0) return static_cast<napi_value>(nullptr);
    auto* src = static_cast<const uint8_t*>(a.bytes(1, (rows - 1) * ss + run, 1));
    auto* dst = static_cast<uint8_t*>(a.bytes(2, (rows - 1) * ds + run, 1));
    copyRuns(rows, run, src, ss, dst, ds);
    return static_cast<napi_value>(nullptr);
  });
}

napi_value GetCacheStats(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    seglens::CacheStats st = convCacheStats();
    napi_value o;
    napi_create_object(env, &o);
    set(env, o, "primitives", num(env, static_cast<double>(st.primitives)));
    set(env, o, "bytes", num(env, static_cast<double>(st.bytes)));
    return o;
  });
}

napi_value ClearCache(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    convCacheClear();
    return static_cast<napi_value>(nullptr);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"info", Info},
      {"setThreads", SetThreads},
      {"conv2d", Conv2d},
      {"conv2dBackpropInput", Conv2dBackpropInput},
      {"conv2dBackpropFilter", Conv2dBackpropFilter},
      {"convImplementation", ConvImplementation},
      {"batchNormTrain", BatchNormTrain},
      {"batchNormGrad", BatchNormGrad},
      {"batchNormInfer", BatchNormInfer},
      {"sumRows", SumRows},
      {"maxPoolGrad", MaxPoolGrad},
      {"adam", Adam},
      {"copyRuns", CopyRuns},
      {"cacheStats", GetCacheStats},
      {"clearCache", ClearCache},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace
}  // namespace seglens

NAPI_MODULE(NODE_GYP_MODULE_NAME, seglens::Init)
