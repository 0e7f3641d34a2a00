# The third-party libraries modelexport's library targets link, in one place. Included twice:
#  - by the build (cmake/Dependencies.cmake): each one is REQUIRED;
#  - by an installed modelexportConfig.cmake, for the consumer (modelexport_CONSUMER is set): each is
#    found with find_dependency, and a missing one makes find_package(modelexport) fail with its name.
# modelexport_dependencies(LAYER) finds what LAYER needs: core (common, format, metadata,
# processors), runtime (ONNX Runtime) or quantize (ONNX's protobuf classes).
include(CMakeFindDependencyMacro)

macro(_modelexport_package)
  if(modelexport_CONSUMER)
    find_dependency(${ARGN})
  else()
    find_package(${ARGN} REQUIRED)
  endif()
endmacro()

# A pkg-config module as the imported target PkgConfig::PREFIX (what the library targets link).
macro(_modelexport_pkg_config prefix module)
  if(NOT TARGET PkgConfig::${prefix})
    _modelexport_package(PkgConfig)
    if(modelexport_CONSUMER)
      pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
      if(NOT ${prefix}_FOUND)
        set(modelexport_FOUND FALSE)
        set(modelexport_NOT_FOUND_MESSAGE "modelexport needs the pkg-config module ${module} (not found)")
        return()
      endif()
    else()
      pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${module})
    endif()
  endif()
endmacro()

# ONNX Runtime as the imported target onnxruntime::onnxruntime, from ONNXRUNTIME_ROOT (CMake or
# environment variable: include/onnxruntime_cxx_api.h and lib/libonnxruntime.so), then the hints.
macro(_modelexport_onnxruntime)
  if(NOT TARGET onnxruntime::onnxruntime)
    find_path(ORT_INCLUDE_DIR onnxruntime_cxx_api.h
      HINTS ${ONNXRUNTIME_ROOT} ENV ONNXRUNTIME_ROOT ${ARGN}
      PATH_SUFFIXES include include/onnxruntime include/onnxruntime/core/session)
    find_library(ORT_LIBRARY NAMES onnxruntime
      HINTS ${ONNXRUNTIME_ROOT} ENV ONNXRUNTIME_ROOT ${ARGN} PATH_SUFFIXES lib lib64)
    if(NOT ORT_INCLUDE_DIR OR NOT ORT_LIBRARY)
      set(_me_ort_message "ONNX Runtime not found. Run scripts/setup.sh, or pass "
        "-DONNXRUNTIME_ROOT=/path/to/onnxruntime (with include/ and lib/)")
      if(modelexport_CONSUMER)
        set(modelexport_FOUND FALSE)
        string(CONCAT modelexport_NOT_FOUND_MESSAGE ${_me_ort_message} ".")
        return()
      endif()
      message(FATAL_ERROR ${_me_ort_message} ", or -DMODELEXPORT_WITH_RUNTIME=OFF.")
    endif()
    add_library(onnxruntime::onnxruntime SHARED IMPORTED)
    set_target_properties(onnxruntime::onnxruntime PROPERTIES
      IMPORTED_LOCATION ${ORT_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${ORT_INCLUDE_DIR})
  endif()
  get_target_property(_me_ort_location onnxruntime::onnxruntime IMPORTED_LOCATION)
  get_filename_component(ORT_LIBRARY_DIR ${_me_ort_location} DIRECTORY)
endmacro()

macro(modelexport_dependencies layer)
  if("${layer}" STREQUAL "core")
    _modelexport_package(Threads)
    _modelexport_package(nlohmann_json 3.10)          # JSON, inside the libraries only
    _modelexport_package(OpenSSL COMPONENTS Crypto)   # SHA-256 for the manifest
    _modelexport_package(simdjson)                    # fast parse of tokenizer.json (processors)
    _modelexport_pkg_config(LIBDEFLATE libdeflate)    # gzip for compressed metadata values
    _modelexport_pkg_config(UTF8PROC libutf8proc)     # Unicode (tokenizers)
    _modelexport_pkg_config(PCRE2 libpcre2-8)         # tokenizer.json regexes
    _modelexport_pkg_config(ICU_UC icu-uc)            # Unicode Script property (tokenizers)
    _modelexport_pkg_config(LIBJPEG libjpeg)          # JPEG decoding (processors/image)
    _modelexport_pkg_config(LIBPNG libpng)            # PNG decoding (processors/image)
    _modelexport_pkg_config(LIBWEBP libwebp)          # WebP decoding (processors/image)
    _modelexport_pkg_config(LIBWEBPDEMUX libwebpdemux)  # WebP container and EXIF (processors/image)
    _modelexport_pkg_config(STB stb)                  # GIF and BMP decoding (processors/image)
    _modelexport_pkg_config(LIBAV "libavformat;libavcodec;libswresample;libavutil")  # audio decoding (processors/audio)
  elseif("${layer}" STREQUAL "runtime")
    _modelexport_onnxruntime(${modelexport_ONNXRUNTIME_HINTS})
    _modelexport_package(ZLIB)                        # Whisper's compression ratio (zlib, as Python's zlib)
  elseif("${layer}" STREQUAL "quantize")
    # ONNX's own protobuf classes (libonnx-dev): quantize rewrites graphs with them.
    _modelexport_package(Protobuf)
    _modelexport_package(ONNX CONFIG)
  else()
    message(FATAL_ERROR "modelexport_dependencies: unknown layer '${layer}'")
  endif()
endmacro()
