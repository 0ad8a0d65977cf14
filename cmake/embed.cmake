# Embeds a file in the binary: cmake -DIN=file -DOUT=file.cc -DNAME=kSymbol -P embed.cmake writes
#   extern const unsigned char kSymbol[];  (the bytes, then a NUL)
#   extern const unsigned long kSymbolSize;
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed.cmake; do not edit.\n"
                    "extern const unsigned char ${NAME}[];\nextern const unsigned long ${NAME}Size;\n"
                    "const unsigned char ${NAME}[] = {\n${bytes}0};\nconst unsigned long ${NAME}Size = ${size};\n")
