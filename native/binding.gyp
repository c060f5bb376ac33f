# seglens-native: built from source at install by node-gyp (see build.mjs), against oneDNN
# (Debian/Ubuntu: libdnnl-dev; elsewhere set DNNL_ROOT to an install prefix with include/ and lib/)
# and OpenMP. Nothing is downloaded.
{
  "variables": {
    "dnnl_root%": "<!(node -p \"process.env.DNNL_ROOT || ''\")"
  },
  "targets": [
    {
      "target_name": "seglens_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/elementwise.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "ldflags": ["-fopenmp", "-Wl,-rpath,'$$ORIGIN'"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["dnnl_root!=''", {
          "include_dirs": ["<(dnnl_root)/include"],
          "libraries": ["-L<(dnnl_root)/lib", "-Wl,-rpath,<(dnnl_root)/lib", "-ldnnl"]
        }, {
          "libraries": ["-ldnnl"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-Xpreprocessor", "-fopenmp"],
            "OTHER_LDFLAGS": ["-lomp", "-Wl,-rpath,@loader_path"]
          }
        }],
        ["OS=='win'", {
          "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "OpenMP": "true", "AdditionalOptions": ["/std:c++17", "/O2"] } }
        }]
      ]
    }
  ]
}
