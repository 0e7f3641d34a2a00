# Every third-party dependency is found here, in one place.
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)   # JSON, used inside src/ only
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)  # gzip for compressed metadata values
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 for the manifest
find_package(CLI11 CONFIG REQUIRED)         # command-line parsing (cli only)
find_package(simdjson REQUIRED)             # fast parse of tokenizer.json (processors)

# ONNX's own protobuf classes (libonnx-dev): quantize rewrites graphs with them, and the tests use
# them as an independent parser our writer's output is checked against.
find_package(Protobuf REQUIRED)
find_package(ONNX CONFIG REQUIRED)
if(MODELEXPORT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MODELEXPORT_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

if(MODELEXPORT_WITH_RUNTIME)
  find_path(ORT_INCLUDE_DIR onnxruntime_cxx_api.h
    HINTS ${ONNXRUNTIME_ROOT} ENV ONNXRUNTIME_ROOT
    PATH_SUFFIXES include include/onnxruntime include/onnxruntime/core/session)
  find_library(ORT_LIBRARY NAMES onnxruntime
    HINTS ${ONNXRUNTIME_ROOT} ENV ONNXRUNTIME_ROOT PATH_SUFFIXES lib lib64)
  if(NOT ORT_INCLUDE_DIR OR NOT ORT_LIBRARY)
    message(FATAL_ERROR "ONNX Runtime not found. Run scripts/setup.sh, or pass "
      "-DONNXRUNTIME_ROOT=/path/to/onnxruntime (with include/ and lib/), "
      "or -DMODELEXPORT_WITH_RUNTIME=OFF.")
  endif()
  add_library(onnxruntime::onnxruntime SHARED IMPORTED)
  set_target_properties(onnxruntime::onnxruntime PROPERTIES
    IMPORTED_LOCATION ${ORT_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${ORT_INCLUDE_DIR})
  get_filename_component(ORT_LIBRARY_DIR ${ORT_LIBRARY} DIRECTORY)
  message(STATUS "ONNX Runtime: ${ORT_LIBRARY} (headers ${ORT_INCLUDE_DIR})")
endif()
