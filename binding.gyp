{
  "targets": [
    {
      "target_name": "aekit_native",
      "sources": [
        "native/binding.cc",
        "native/binding_images.cc",
        "native/cpu.cc",
        "native/thread_pool.cc",
        "native/gemm.cc",
        "native/elementwise.cc",
        "native/losses.cc",
        "native/soft_jaccard.cc",
        "native/optimizers.cc",
        "native/hamming.cc",
        "native/conv.cc",
        "native/conv_direct.cc",
        "native/conv_choice.cc",
        "native/normalization.cc",
        "native/peak.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O2", "-Os", "-O0"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++14", "-std=gnu++20", "-O2", "-Os", "-O0"],
      "cflags": ["-O3", "-fno-math-errno", "-ffp-contract=fast", "-Wno-psabi", "-Wno-maybe-uninitialized", "-pthread"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-ffp-contract=fast", "-Wno-psabi", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-lpthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno", "-ffp-contract=fast"]
      }
    }
  ]
}
