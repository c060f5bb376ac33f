// oneDNN convolutions over memory owned by the caller (the tfjs wasm heap): activations are used
// in place in NHWC (oneDNN's nhwc format tag), so no activation is copied or reordered; only the
// filter goes through a reorder into the layout the chosen implementation wants (filters are
// small). Primitives are built once per shape and kept: building one costs far more than running
// it on a U-Net patch.
#include "conv.h"

#include <dnnl.hpp>

#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "napi-args.h"

namespace seglens {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine& cpu() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(cpu());
  return s;
}

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

struct Descs {
  memory::desc src, wUser, wAny, dst, bias;
  memory::dims strides, dilates, padL, padR;
};

Descs descs(const ConvShape& s, bool bias) {
  Descs d;
  d.src = memory::desc({s.n, s.ic, s.ih, s.iw}, dt::f32, tag::nhwc);
  d.dst = memory::desc({s.n, s.oc, s.oh, s.ow}, dt::f32, tag::nhwc);
  d.wUser = memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, tag::hwio);
  d.wAny = memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, tag::any);
  if (bias) d.bias = memory::desc({s.oc}, dt::f32, tag::x);
  d.strides = {s.sh, s.sw};
  d.dilates = {s.dh - 1, s.dw - 1};
  d.padL = {s.pt, s.pl};
  d.padR = {s.pb, s.pr};
  return d;
}

dnnl::convolution_forward::primitive_desc forwardPd(const ConvShape& s, const Descs& d, bool bias, Activation act, float alpha) {
  dnnl::post_ops ops;
  switch (act) {
    case Activation::kLinear: break;
    case Activation::kRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case Activation::kRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case Activation::kLeakyRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
    case Activation::kSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case Activation::kElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  auto desc = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.src, d.wAny, d.bias,
                                                     d.dst, d.strides, d.dilates, d.padL, d.padR)
                   : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.src, d.wAny, d.dst,
                                                     d.strides, d.dilates, d.padL, d.padR);
  (void)s;
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpu());
}

/** One cached primitive with the memory objects it runs on (handles are set at each call). */
struct Entry {
  dnnl::primitive prim;
  std::string impl;
  memory a, b, c, bias;     // a, b, c: the primitive's three tensors in user formats (see run*)
  memory wPrim;             // weights in the primitive's layout, when it differs from hwio
  dnnl::reorder wReorder;   // hwio -> wPrim (forward, backward data) or wPrim -> hwio (backward weights)
  bool needsReorder = false;
  int64_t bytes = 0;
};

struct Key {
  int kind;
  ConvShape s;
  bool bias;
  int act;
  float alpha;
  bool operator==(const Key& o) const {
    return kind == o.kind && bias == o.bias && act == o.act && alpha == o.alpha && std::memcmp(&s, &o.s, sizeof s) == 0;
  }
};

struct KeyHash {
  size_t operator()(const Key& k) const {
    const auto* p = reinterpret_cast<const int64_t*>(&k.s);
    size_t h = static_cast<size_t>(k.kind * 31 + k.bias * 7 + k.act);
    for (size_t i = 0; i < sizeof(ConvShape) / sizeof(int64_t); i++) h = h * 1000003u ^ static_cast<size_t>(p[i]);
    return h;
  }
};

// Bounded: prediction with many tile sizes must not grow it without end. Least recently used goes.
constexpr size_t kCacheCapacity = 128;
std::list<Key> lru;
std::unordered_map<Key, std::pair<std::unique_ptr<Entry>, std::list<Key>::iterator>, KeyHash> cache;

Entry* lookup(const Key& k) {
  auto it = cache.find(k);
  if (it == cache.end()) return nullptr;
  lru.splice(lru.begin(), lru, it->second.second);
  return it->second.first.get();
}

Entry* insert(const Key& k, std::unique_ptr<Entry> e) {
  if (cache.size() >= kCacheCapacity) {
    cache.erase(lru.back());
    lru.pop_back();
  }
  lru.push_front(k);
  Entry* raw = e.get();
  cache.emplace(k, std::make_pair(std::move(e), lru.begin()));
  return raw;
}

void prepareWeights(Entry& e, const memory::desc& user, const memory::desc& prim, bool toUser) {
  e.needsReorder = user != prim;
  if (!e.needsReorder) return;
  e.wPrim = memory(prim, cpu());
  e.bytes += static_cast<int64_t>(prim.get_size());
  memory userMem(user, cpu(), DNNL_MEMORY_NONE);
  e.wReorder = toUser ? dnnl::reorder(e.wPrim, userMem) : dnnl::reorder(userMem, e.wPrim);
}

Entry* forwardEntry(const ConvShape& s, bool bias, Activation act, float alpha) {
  Key k{kForward, s, bias, static_cast<int>(act), alpha};
  if (Entry* e = lookup(k)) return e;
  Descs d = descs(s, bias);
  auto pd = forwardPd(s, d, bias, act, alpha);
  auto e = std::make_unique<Entry>();
  e->prim = dnnl::convolution_forward(pd);
  e->impl = pd.impl_info_str();
  e->a = memory(d.src, cpu(), DNNL_MEMORY_NONE);
  e->b = memory(d.wUser, cpu(), DNNL_MEMORY_NONE);
  e->c = memory(d.dst, cpu(), DNNL_MEMORY_NONE);
  if (bias) e->bias = memory(d.bias, cpu(), DNNL_MEMORY_NONE);
  prepareWeights(*e, d.wUser, pd.weights_desc(), false);
  return insert(k, std::move(e));
}

Entry* backwardDataEntry(const ConvShape& s) {
  Key k{kBackwardData, s, false, 0, 0.f};
  if (Entry* e = lookup(k)) return e;
  Descs d = descs(s, false);
  auto hint = forwardPd(s, d, false, Activation::kLinear, 0.f);
  dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.src, d.wAny, d.dst, d.strides, d.dilates, d.padL, d.padR);
  dnnl::convolution_backward_data::primitive_desc pd(desc, cpu(), hint);
  auto e = std::make_unique<Entry>();
  e->prim = dnnl::convolution_backward_data(pd);
  e->impl = pd.impl_info_str();
  e->a = memory(d.dst, cpu(), DNNL_MEMORY_NONE);    // dy
  e->b = memory(d.wUser, cpu(), DNNL_MEMORY_NONE);  // w
  e->c = memory(d.src, cpu(), DNNL_MEMORY_NONE);    // dx
  prepareWeights(*e, d.wUser, pd.weights_desc(), false);
  return insert(k, std::move(e));
}

Entry* backwardWeightsEntry(const ConvShape& s) {
  Key k{kBackwardWeights, s, false, 0, 0.f};
  if (Entry* e = lookup(k)) return e;
  Descs d = descs(s, false);
  auto hint = forwardPd(s, d, false, Activation::kLinear, 0.f);
  dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.src, d.wAny, d.dst, d.strides, d.dilates, d.padL, d.padR);
  dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu(), hint);
  auto e = std::make_unique<Entry>();
  e->prim = dnnl::convolution_backward_weights(pd);
  e->impl = pd.impl_info_str();
  e->a = memory(d.src, cpu(), DNNL_MEMORY_NONE);    // x
  e->b = memory(d.dst, cpu(), DNNL_MEMORY_NONE);    // dy
  e->c = memory(d.wUser, cpu(), DNNL_MEMORY_NONE);  // dw
  prepareWeights(*e, d.wUser, pd.diff_weights_desc(), true);
  return insert(k, std::move(e));
}

void* mut(const float* p) { return const_cast<float*>(p); }

}  // namespace

void convForward(const ConvShape& s, const float* x, const float* w, const float* bias, float* y, Activation act, float alpha) {
  Entry* e = forwardEntry(s, bias != nullptr, act, alpha);
  e->a.set_data_handle(mut(x));
  e->b.set_data_handle(mut(w));
  e->c.set_data_handle(y);
  if (e->needsReorder) e->wReorder.execute(stream(), e->b, e->wPrim);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, e->a}, {DNNL_ARG_WEIGHTS, e->needsReorder ? e->wPrim : e->b}, {DNNL_ARG_DST, e->c}};
  if (bias) {
    e->bias.set_data_handle(mut(bias));
    args.emplace(DNNL_ARG_BIAS, e->bias);
  }
  e->prim.execute(stream(), args);
  stream().wait();
}

void convBackwardData(const ConvShape& s, const float* dy, const float* w, float* dx) {
  Entry* e = backwardDataEntry(s);
  e->a.set_data_handle(mut(dy));
  e->b.set_data_handle(mut(w));
  e->c.set_data_handle(dx);
  if (e->needsReorder) e->wReorder.execute(stream(), e->b, e->wPrim);
  e->prim.execute(stream(), {{DNNL_ARG_DIFF_DST, e->a}, {DNNL_ARG_WEIGHTS, e->needsReorder ? e->wPrim : e->b}, {DNNL_ARG_DIFF_SRC, e->c}});
  stream().wait();
}

void convBackwardWeights(const ConvShape& s, const float* x, const float* dy, float* dw) {
  Entry* e = backwardWeightsEntry(s);
  e->a.set_data_handle(mut(x));
  e->b.set_data_handle(mut(dy));
  e->c.set_data_handle(dw);
  e->prim.execute(stream(), {{DNNL_ARG_SRC, e->a}, {DNNL_ARG_DIFF_DST, e->b}, {DNNL_ARG_DIFF_WEIGHTS, e->needsReorder ? e->wPrim : e->c}});
  if (e->needsReorder) e->wReorder.execute(stream(), e->wPrim, e->c);
  stream().wait();
}

const char* convImplementation(const ConvShape& s, int kind) {
  Entry* e = kind == kForward ? forwardEntry(s, false, Activation::kLinear, 0.f) : kind == kBackwardData ? backwardDataEntry(s) : backwardWeightsEntry(s);
  return e->impl.c_str();
}

CacheStats convCacheStats() {
  CacheStats st{static_cast<int64_t>(cache.size()), 0};
  for (auto& kv : cache) st.bytes += kv.second.first->bytes;
  return st;
}

void convCacheClear() {
  cache.clear();
  lru.clear();
}

}  // namespace seglens
