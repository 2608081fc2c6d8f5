# install.cmake -- what `cmake --install` puts where beyond the program and its data files,
# and the Debian package (CPack, DEB generator) that deploy/package.sh builds. Included
# from the top-level CMakeLists.txt once the targets exist.
#
#   bin/govsweep                          the program (top-level CMakeLists.txt)
#   share/govsweep/                       the data files (top-level CMakeLists.txt)
#   lib/systemd/system/*.service          the units (GS_SYSTEMD_UNIT_DIR)
#   share/man/man1/govsweep.1.gz          the manual page
#   share/doc/govsweep/                   README, docs/*.md, examples/*.conf
#   SYSCONFDIR/govsweep/*.conf            with GS_INSTALL_LAYOUT only, never overwritten
#
# The units name /usr/bin/govsweep, /etc/govsweep and /usr/share/doc/govsweep, the
# package's paths; for another prefix they are rewritten to the configured directories.

set(GS_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd units are installed, relative to the prefix")
set(GS_PACKAGE_MAINTAINER "govsweep maintainers <govsweep@example.org>" CACHE STRING
    "Maintainer field of the Debian package")

set(gs_deploy ${CMAKE_CURRENT_SOURCE_DIR}/deploy)
set(gs_deploy_out ${CMAKE_CURRENT_BINARY_DIR}/deploy)
set(gs_units govsweep-dispatcher.service govsweep-collector.service govsweep-worker@.service)
set(gs_confs dispatcher.conf collector.conf worker.conf central.conf)

# Units, with the package's paths replaced by this build's (identical for prefix /usr).
foreach(unit ${gs_units})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${gs_deploy}/systemd/${unit})
    file(READ ${gs_deploy}/systemd/${unit} text)
    string(REPLACE "/usr/bin/govsweep" "${CMAKE_INSTALL_FULL_BINDIR}/govsweep" text "${text}")
    string(REPLACE "/usr/share/doc/govsweep" "${CMAKE_INSTALL_FULL_DOCDIR}" text "${text}")
    string(REPLACE "/etc/govsweep" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/govsweep" text "${text}")
    file(WRITE ${gs_deploy_out}/systemd/${unit} "${text}")
    install(FILES ${gs_deploy_out}/systemd/${unit} DESTINATION ${GS_SYSTEMD_UNIT_DIR})
endforeach()

# The manual page, compressed as Debian installs manual pages (-n: no name or time in the
# gzip header, so the package is the same bytes when built again).
add_custom_command(OUTPUT ${gs_deploy_out}/govsweep.1.gz
                   COMMAND gzip -9n -c ${gs_deploy}/man/govsweep.1 > ${gs_deploy_out}/govsweep.1.gz
                   DEPENDS ${gs_deploy}/man/govsweep.1
                   COMMENT "Compressing the manual page")
add_custom_target(gs_man ALL DEPENDS ${gs_deploy_out}/govsweep.1.gz)
install(FILES ${gs_deploy_out}/govsweep.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

list(TRANSFORM gs_confs PREPEND ${gs_deploy}/conf/ OUTPUT_VARIABLE gs_conf_files)
install(FILES ${gs_conf_files} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES README.md docs/architecture.md docs/configuration.md docs/operations.md
              docs/protocol.md docs/redis-keys.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# A system install also gets the configuration in SYSCONFDIR (/etc for prefix /usr), but
# never over a file that is already there: an operator's edits survive a reinstall. In
# the package these files are conffiles, which dpkg itself protects.
if(GS_INSTALL_LAYOUT)
    set(gs_etc ${CMAKE_INSTALL_FULL_SYSCONFDIR}/govsweep)
    foreach(conf ${gs_confs})
        install(CODE "
            if(NOT EXISTS \"\$ENV{DESTDIR}${gs_etc}/${conf}\")
                file(INSTALL DESTINATION \"${gs_etc}\" TYPE FILE FILES \"${gs_deploy}/conf/${conf}\")
            else()
                message(STATUS \"Kept: \$ENV{DESTDIR}${gs_etc}/${conf}\")
            endif()")
    endforeach()
    set(conffiles "")
    foreach(conf ${gs_confs})
        string(APPEND conffiles "${gs_etc}/${conf}\n")
    endforeach()
    file(WRITE ${gs_deploy_out}/debian/conffiles "${conffiles}")
else()
    install(CODE "message(STATUS \"Note: this build reads its data files from ${gs_data_dir}; \"
                                \"configure with -DGS_INSTALL_LAYOUT=ON to read them from the \"
                                \"install prefix\")")
endif()

# ---- Debian package: deploy/package.sh runs `cpack -G DEB` in a GS_INSTALL_LAYOUT build.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME govsweep)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "govsweep")
set(CPACK_PACKAGE_CONTACT "${GS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "sweeps government websites and new-media accounts against the national indicators")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
# Everything, /etc included, goes through DESTDIR into the package, never onto this host.
set(CPACK_SET_DESTDIR ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_CURRENT_BINARY_DIR}/package)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The summary line comes from CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the long part.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "govsweep inspects every government website and new-media account of a province
against the national inspection indicators and writes the quarterly notice
tables, the list of targets with their status and a feed of every finding.
A dispatcher leases the targets to workers over ZeroMQ; workers fetch with
libcurl and run the checks; a collector stores each result in Redis exactly
once. This package holds the program, its data files, systemd units for the
dispatcher, the collector and one worker per core, and example configurations.")
# The libraries' packages come from dpkg-shlibdeps; adduser creates the govsweep user.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps finds the libraries; OpenCC's conversion tables (t2s.json, read at run
# time for Traditional pages) are data it cannot see.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libopencc-data")
# Recommended, not required: `govsweep run` and a central host need a Redis, but a worker
# host needs none (install those with --no-install-recommends).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server (>= 5:7.0)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-tools")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${gs_deploy}/debian/postinst ${gs_deploy}/debian/prerm
                                       ${gs_deploy}/debian/postrm)
if(GS_INSTALL_LAYOUT)
    list(APPEND CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${gs_deploy_out}/debian/conffiles)
endif()
include(CPack)
