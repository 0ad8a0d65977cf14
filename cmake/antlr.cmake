# The parser is generated at build time from grammar/Edict.g4 with Debian's `antlr4` command (tool 4.7.2),
# whose output builds against libantlr4-runtime-dev 4.9.
find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_path(ANTLR4_INCLUDE_DIR antlr4-runtime.h PATH_SUFFIXES antlr4-runtime REQUIRED)
find_library(ANTLR4_RUNTIME_LIB antlr4-runtime REQUIRED)

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
