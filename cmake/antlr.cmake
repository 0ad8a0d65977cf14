# The parser is generated at build time from grammar/Edict.g4 with Debian's `antlr4` command (tool 4.7.2),
# whose output builds against libantlr4-runtime-dev 4.9.
find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_path(ANTLR4_INCLUDE_DIR antlr4-runtime.h PATH_SUFFIXES antlr4-runtime REQUIRED)
find_library(ANTLR4_RUNTIME_LIB antlr4-runtime REQUIRED)

# clang rejects one header of Debian's 4.9 runtime (misc/InterpreterDataReader.h: a user-written default
# constructor of a struct whose member cannot be default-constructed; GCC lets it be until it is called, and it
# never is). A clang build (the fuzzers, tests/fuzz) uses a copy of the headers with that constructor defaulted.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(EDICT_ANTLR_HEADERS ${CMAKE_BINARY_DIR}/antlr4-runtime-headers)
  file(COPY ${ANTLR4_INCLUDE_DIR}/ DESTINATION ${EDICT_ANTLR_HEADERS})
  file(READ ${EDICT_ANTLR_HEADERS}/misc/InterpreterDataReader.h header)
  string(REPLACE "InterpreterData() {};" "InterpreterData() = default;" header "${header}")
  file(WRITE ${EDICT_ANTLR_HEADERS}/misc/InterpreterDataReader.h "${header}")
  set(ANTLR4_INCLUDE_DIR ${EDICT_ANTLR_HEADERS})
endif()

set(EDICT_GRAMMAR ${CMAKE_SOURCE_DIR}/grammar/Edict.g4)
set(EDICT_GEN_DIR ${CMAKE_BINARY_DIR}/generated/grammar)
set(EDICT_GEN_SOURCES
  ${EDICT_GEN_DIR}/EdictLexer.cpp ${EDICT_GEN_DIR}/EdictParser.cpp
  ${EDICT_GEN_DIR}/EdictVisitor.cpp ${EDICT_GEN_DIR}/EdictBaseVisitor.cpp)
add_custom_command(
  OUTPUT ${EDICT_GEN_SOURCES}
  COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -visitor -no-listener -Xexact-output-dir -o ${EDICT_GEN_DIR} ${EDICT_GRAMMAR}
  DEPENDS ${EDICT_GRAMMAR}
  COMMENT "Generating the edict parser from grammar/Edict.g4")

# Generated code is built without -Werror: it is not ours to fix.
add_library(edict_grammar STATIC ${EDICT_GEN_SOURCES})
target_include_directories(edict_grammar SYSTEM PUBLIC ${ANTLR4_INCLUDE_DIR} ${EDICT_GEN_DIR})
# The 4.7.2 tool writes u8"" literals, which are char8_t in C++20.
target_compile_options(edict_grammar PRIVATE -w -fno-char8_t)
target_link_libraries(edict_grammar PUBLIC ${ANTLR4_RUNTIME_LIB})
set_target_properties(edict_grammar PROPERTIES POSITION_INDEPENDENT_CODE ON)
