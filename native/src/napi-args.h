// Argument reading for the addon's N-API functions. Every function takes the memory the tensors
// live in (an ArrayBuffer: the tfjs wasm backend's heap) and plain numbers (byte offsets and
// sizes). Each pointer handed to a kernel is bounds-checked against that buffer here, so a wrong
// offset from JavaScript becomes a RangeError, never a write outside the heap.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace seglens {

/** Thrown inside a kernel call; turned into a JavaScript Error (or RangeError) at the boundary. */
struct JsError : std::runtime_error {
  bool range;
  JsError(const std::string& m, bool r = false) : std::runtime_error(m), range(r) {}
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, size_t expected) : env_(env) {
    argc_ = kMax;
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
    if (argc_ < expected) throw JsError("expected " + std::to_string(expected) + " arguments, got " + std::to_string(argc_));
  }

  size_t count() const { return argc_; }

  /** The ArrayBuffer at position i: its data and length. SharedArrayBuffers are refused. */
  void buffer(size_t i) {
    bool is = false;
    napi_is_arraybuffer(env_, argv_[i], &is);
    if (!is) throw JsError("argument " + std::to_string(i) + " must be an ArrayBuffer (the wasm heap)");
    void* data = nullptr;
    size_t len = 0;
    if (napi_get_arraybuffer_info(env_, argv_[i], &data, &len) != napi_ok) throw JsError("could not read the ArrayBuffer");
    base_ = static_cast<uint8_t*>(data);
    length_ = len;
  }

  double number(size_t i) const {
    double v = 0;
    if (napi_get_value_double(env_, argv_[i], &v) != napi_ok) throw JsError("argument " + std::to_string(i) + " must be a number");
    return v;
  }

  int64_t integer(size_t i) const {
    double v = number(i);
    if (v != static_cast<double>(static_cast<int64_t>(v))) throw JsError("argument " + std::to_string(i) + " must be an integer");
    return static_cast<int64_t>(v);
  }

  /** A float32 pointer at the byte offset in argument i, holding `count` floats. */
  float* floats(size_t i, int64_t count) const { return static_cast<float*>(bytes(i, count * 4, 4)); }

  /** Optional pointer: a negative offset means absent. */
  float* optionalFloats(size_t i, int64_t count) const { return integer(i) < 0 ? nullptr : floats(i, count); }

  void* bytes(size_t i, int64_t size, int64_t align) const {
    int64_t off = integer(i);
    if (!base_) throw JsError("no buffer given before pointer arguments");
    if (off < 0 || size < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(size) > length_) {
      throw JsError("argument " + std::to_string(i) + ": range [" + std::to_string(off) + ", " + std::to_string(off + size) +
                        ") lies outside the buffer of " + std::to_string(length_) + " bytes",
                    true);
    }
    if (off % align != 0) throw JsError("argument " + std::to_string(i) + ": offset " + std::to_string(off) + " is not aligned", true);
    return base_ + off;
  }

  napi_value at(size_t i) const { return argv_[i]; }

 private:
  static constexpr size_t kMax = 40;
  napi_env env_;
  size_t argc_ = 0;
  napi_value argv_[kMax] = {};
  uint8_t* base_ = nullptr;
  size_t length_ = 0;
};

}  // namespace seglens
