# Data files (catalogs, calibrations) are compiled into the library so the executable works from
# any directory. Each file becomes `extern const std::string_view <symbol>` in namespace
# trainsim::embedded; editing a file re-runs the generation.
function(trainsim_embed_files out_var)
  set(generated "")
  foreach(entry IN LISTS ARGN)
    string(REPLACE "=" ";" pair "${entry}")
    list(GET pair 0 symbol)
    list(GET pair 1 relpath)
    set(input ${CMAKE_CURRENT_SOURCE_DIR}/${relpath})
    set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded/${symbol}.cpp)
    add_custom_command(
      OUTPUT ${output}
      COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
              -DRELPATH=${relpath} -P ${PROJECT_SOURCE_DIR}/cmake/embed_one_file.cmake
      DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_one_file.cmake
      COMMENT "Embedding ${relpath}")
    list(APPEND generated ${output})
  endforeach()
  set(${out_var} ${generated} PARENT_SCOPE)
endfunction()
