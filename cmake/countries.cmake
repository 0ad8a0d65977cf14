# The `countries` stdlib module is generated at build time from Debian's iso-codes (ISO 3166-1).
set(EDICT_ISO_JSON /usr/share/iso-codes/json/iso_3166-1.json CACHE FILEPATH "iso-codes ISO 3166-1 data")
set(EDICT_COUNTRIES_FILE ${CMAKE_BINARY_DIR}/share/edict/stdlib/countries.edict)
add_custom_command(
  OUTPUT ${EDICT_COUNTRIES_FILE}
  COMMAND ${CMAKE_COMMAND} -DIN=${EDICT_ISO_JSON} -DOUT=${EDICT_COUNTRIES_FILE}
          -P ${CMAKE_SOURCE_DIR}/cmake/gen_countries.cmake
  DEPENDS ${EDICT_ISO_JSON} ${CMAKE_SOURCE_DIR}/cmake/gen_countries.cmake
  COMMENT "Generating stdlib countries.edict from iso-codes")
add_custom_target(edict_countries ALL DEPENDS ${EDICT_COUNTRIES_FILE})
