# Every third-party dependency is found here, in one place. What the library targets link is listed
# in modelexportDependencies.cmake, which the installed modelexportConfig.cmake shares with the build.
include(${CMAKE_CURRENT_LIST_DIR}/modelexportDependencies.cmake)
modelexport_dependencies(core)
modelexport_dependencies(quantize)  # also the tests' independent parser of what our writer writes
find_package(CLI11 CONFIG REQUIRED)  # command-line parsing (cli only)
if(MODELEXPORT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MODELEXPORT_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
if(MODELEXPORT_WITH_RUNTIME)
  modelexport_dependencies(runtime)
  message(STATUS "ONNX Runtime: ${ORT_LIBRARY} (headers ${ORT_INCLUDE_DIR})")
endif()
