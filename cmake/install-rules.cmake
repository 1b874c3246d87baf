include(CMakePackageConfigHelpers)

get_property(_layers GLOBAL PROPERTY HOLLYWOOD_LAYERS)
set(_targets "")
foreach(layer IN LISTS _layers)
  list(APPEND _targets hollywood_${layer})
endforeach()

install(TARGETS ${_targets} EXPORT hollywoodTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/hollywood DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/hollywood)
install(EXPORT hollywoodTargets NAMESPACE hollywood:: DESTINATION ${_cmake_dir})
export(EXPORT hollywoodTargets NAMESPACE hollywood::
  FILE ${PROJECT_BINARY_DIR}/hollywoodTargets.cmake)

set(HOLLYWOOD_COMPONENTS ${_layers})
configure_package_config_file(cmake/hollywoodConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hollywoodConfig.cmake INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hollywoodConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hollywoodConfig.cmake
  ${PROJECT_BINARY_DIR}/hollywoodConfigVersion.cmake DESTINATION ${_cmake_dir})
