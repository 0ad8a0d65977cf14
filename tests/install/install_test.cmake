file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
foreach(f bin/edict share/edict/stdlib/countries.edict share/edict/stdlib/ear/shipment.edict
          share/bash-completion/completions/edict share/zsh/vendor-completions/_edict share/man/man1/edict.1.gz)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
execute_process(COMMAND ${PREFIX}/bin/edict version OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "stdlib: ${PREFIX}/share/edict/stdlib")
  message(FATAL_ERROR "the installed edict does not use its installed stdlib:\n${out}")
endif()
# A policy copied outside the source tree (with the policy it imports) checks and tests against the installed stdlib.
file(COPY ${SOURCE_DIR}/policies/licensing_regime_draft.edict ${SOURCE_DIR}/policies/embargoes_746.edict
     DESTINATION ${PREFIX}/work)
execute_process(COMMAND ${PREFIX}/bin/edict test ${PREFIX}/work/licensing_regime_draft.edict
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES " passed, 0 failed")
  message(FATAL_ERROR "installed edict test failed:\n${out}")
endif()
message(STATUS "installed edict works: ${out}")
