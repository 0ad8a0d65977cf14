# `cpack -G DEB`, run in the build folder after a build: edict_VERSION_amd64.deb holding /usr/bin/edict (stripped),
# the stdlib, the man page, the bash and zsh completions and the copyright file, with its library dependencies
# declared by dpkg-shlibdeps. tests/package installs it in a clean Debian 12 root (`ctest -C package`).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright DESTINATION share/doc/edict)

set(CPACK_PACKAGE_NAME edict)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "edict")
set(CPACK_PACKAGE_CONTACT "edict maintainers <maintainers@users.noreply.h-seed-3592dcae.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "export-control regulations written as code")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES bin/edict)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # edict_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "export-control regulations written as code
 edict checks, tests, explains and compares export-control policies written as
 readable text files, and decides shipment records (JSON Lines or CSV) under
 them with an LLVM JIT: eval, impact of a draft on past shipments, a Z3-proved
 diff of two versions, a REPL, a language server and an HTTP decision service.")
include(CPack)
