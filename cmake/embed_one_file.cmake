file(READ ${INPUT} content)
string(FIND "${content}" ")trainsim_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter used for embedding")
endif()
file(WRITE ${OUTPUT} "// Generated from ${RELPATH} by cmake/embed_one_file.cmake; do not edit.\n"
  "#include <string_view>\n"
  "namespace trainsim::embedded {\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL} = R\"trainsim_embed(${content})trainsim_embed\";\n"
  "}  // namespace trainsim::embedded\n")
