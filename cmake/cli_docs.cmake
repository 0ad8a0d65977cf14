# Prints edict's shell completions and man page with the edict just built (cmake -P; see tools/CMakeLists.txt):
# they are generated from its command-line definitions, so they list exactly what --help does.
# In: EDICT (the binary), OUT (a folder). Out: OUT/edict.bash, OUT/_edict (zsh), OUT/edict.1 and OUT/edict.1.gz.
file(MAKE_DIRECTORY ${OUT})
function(print file)
  # $EDICT_STDLIB is the user's and may name anything: it plays no part here.
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=EDICT_STDLIB ${EDICT} ${ARGN}
                  OUTPUT_FILE ${OUT}/${file}.tmp RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${EDICT} ${ARGN} failed (${rc})")
  endif()
  file(RENAME ${OUT}/${file}.tmp ${OUT}/${file})
endfunction()
print(edict.bash completions bash)
print(_edict completions zsh)
print(edict.1 man)
# Man pages are installed compressed (Debian policy 12.1); -n leaves the name and time out, so the bytes are
# the same on every build.
find_program(GZIP gzip REQUIRED)
execute_process(COMMAND ${GZIP} -9n -c ${OUT}/edict.1 OUTPUT_FILE ${OUT}/edict.1.gz RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip of the man page failed")
endif()
