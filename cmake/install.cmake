# `cmake --install BUILD --prefix PREFIX`: the public headers, the layer libraries, the CLI and a
# CMake package, so another project builds on the library with
#
#   find_package(modelexport 0.1 REQUIRED)                       # modelexport::modelexport, ::processors, ...
#   find_package(modelexport 0.1 REQUIRED COMPONENTS runtime)    # + modelexport::runtime (ONNX Runtime)
#
# (examples/consumer is such a project; tests/install/consumer_test.sh builds it against an install).
# Targets: modelexport::common, ::format, ::metadata, ::processors (the tokenizer: no protobuf, no
# ONNX Runtime), ::modelexport (metadata + processors); component runtime: ::runtime; component
# quantize: ::quantize (ONNX's protobuf classes). The libraries are static: their dependencies are
# found again for the consumer by modelexportConfig.cmake (find_dependency).
include(CMakePackageConfigHelpers)
set(ME_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/modelexport)

foreach(layer common format metadata processors runtime format_proto quantize generation)
  if(TARGET me_${layer})
    set_target_properties(me_${layer} PROPERTIES OUTPUT_NAME modelexport_${layer} EXPORT_NAME ${layer})
  endif()
endforeach()

install(TARGETS me_common me_format me_metadata me_processors modelexport EXPORT modelexportTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT modelexportTargets NAMESPACE modelexport:: DESTINATION ${ME_CMAKE_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/modelexport/common ${PROJECT_SOURCE_DIR}/include/modelexport/format
  ${PROJECT_SOURCE_DIR}/include/modelexport/metadata ${PROJECT_SOURCE_DIR}/include/modelexport/processors
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/modelexport)
install(FILES ${PROJECT_SOURCE_DIR}/include/modelexport/modelexport.h ${PROJECT_SOURCE_DIR}/include/modelexport/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/modelexport)

install(TARGETS me_format_proto me_quantize EXPORT modelexportQuantizeTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT modelexportQuantizeTargets NAMESPACE modelexport:: DESTINATION ${ME_CMAKE_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/modelexport/quantize DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/modelexport)

if(MODELEXPORT_WITH_RUNTIME)
  install(TARGETS me_runtime me_generation EXPORT modelexportRuntimeTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT modelexportRuntimeTargets NAMESPACE modelexport:: DESTINATION ${ME_CMAKE_DIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/modelexport/runtime DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/modelexport)
  # The CLI loads libonnxruntime.so.1 from where it was linked (ONNX Runtime is not copied into the
  # prefix), or from PREFIX/lib when a packager puts it there.
  set_target_properties(modelexport_cli PROPERTIES
    INSTALL_RPATH "${ORT_LIBRARY_DIR};$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  # Where the consumer's modelexportConfig.cmake looks for ONNX Runtime first (after ONNXRUNTIME_ROOT).
  get_filename_component(ME_ORT_ROOT ${ORT_LIBRARY_DIR} DIRECTORY)
endif()
install(TARGETS modelexport_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/modelexportConfig.cmake.in
  ${PROJECT_BINARY_DIR}/modelexportConfig.cmake INSTALL_DESTINATION ${ME_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/modelexportConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)  # 0.x: a minor version may break the API
install(FILES ${PROJECT_BINARY_DIR}/modelexportConfig.cmake ${PROJECT_BINARY_DIR}/modelexportConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/modelexportDependencies.cmake DESTINATION ${ME_CMAKE_DIR})
