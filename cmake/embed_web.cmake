# Writes a C++ source that compiles a directory of files into the binary (cmake -P, at build
# time, since the dashboard's hashed file names are known only after `npm run build`):
#   cmake -DDIST=<dir> -DOUT=<file.cpp> -DDEPFILE=<file.d> -P embed_web.cmake
# Each file's bytes go in with the assembler's .incbin, so the compiler never parses them: a few
# MB cost milliseconds, where a byte-array source would take the compiler seconds. Beside each
# file, its .gz and .br siblings when present, and a SHA-256 of every coding (the ETag). The
# depfile names every file and directory read, so adding, changing or removing one reruns this.
cmake_minimum_required(VERSION 3.25)

set(files)
set(dirs)
if(IS_DIRECTORY "${DIST}")
  file(GLOB_RECURSE entries LIST_DIRECTORIES true RELATIVE "${DIST}" "${DIST}/*")
  list(SORT entries)
  foreach(entry IN LISTS entries)
    # Hidden files are never served (http/static_site.cpp), nor are the siblings on their own.
    if(entry MATCHES "(^|/)\\.")
      continue()
    endif()
    if(IS_DIRECTORY "${DIST}/${entry}")
      list(APPEND dirs "${DIST}/${entry}")
    elseif(NOT entry MATCHES "\\.(gz|br)$")
      list(APPEND files "${entry}")
    endif()
  endforeach()
  list(APPEND dirs "${DIST}")
else()
  # Nothing to embed yet: watch the nearest directory that exists, so a dist appearing later
  # is noticed.
  get_filename_component(parent "${DIST}" DIRECTORY)
  while(NOT IS_DIRECTORY "${parent}")
    get_filename_component(parent "${parent}" DIRECTORY)
  endwhile()
  list(APPEND dirs "${parent}")
endif()

set(asm "")
set(decls "")
set(entries_cpp "")
set(inputs ${dirs})
set(blob 0)

# Appends one stored coding of a file to the assembly and declarations; sets <out_var> to its
# EmbeddedBlob initialiser.
macro(embed_blob path out_var)
  if(path MATCHES "[\"\\\\\n]")
    message(FATAL_ERROR "embed_web: cannot embed a file whose name holds a quote, backslash or newline: ${path}")
  endif()
  file(SIZE "${path}" size)
  file(SHA256 "${path}" sha)
  string(SUBSTRING "${sha}" 0 32 etag)
  string(APPEND asm "  .globl berth_web_blob_${blob}\n  .hidden berth_web_blob_${blob}\n"
                    "berth_web_blob_${blob}:\n  .incbin \"${path}\"\n")
  string(APPEND decls "extern \"C\" [[gnu::visibility(\"hidden\")]] const char berth_web_blob_${blob}[];\n")
  set(${out_var} "{.data = berth_web_blob_${blob}, .size = ${size}, .etag = \"${etag}\"}")
  list(APPEND inputs "${path}")
  math(EXPR blob "${blob} + 1")
endmacro()

foreach(rel IN LISTS files)
  set(abs "${DIST}/${rel}")
  embed_blob("${abs}" identity)
  set(gzip "{}")
  set(br "{}")
  if(EXISTS "${abs}.gz")
    embed_blob("${abs}.gz" gzip)
  endif()
  if(EXISTS "${abs}.br")
    embed_blob("${abs}.br" br)
  endif()
  string(APPEND entries_cpp
    "    {.path = \"${rel}\", .identity = ${identity}, .gzip = ${gzip}, .br = ${br}},\n")
endforeach()

set(cpp "// Generated at build time by cmake/embed_web.cmake from ${DIST}: do not edit.\n")
string(APPEND cpp "#include \"http/embedded_files.hpp\"\n\n")
if(blob GREATER 0)
  string(APPEND cpp "asm(R\"berth(\n  .pushsection .rodata.berth_web,\"a\",@progbits\n${asm}"
                    "  .popsection\n)berth\");\n\n${decls}\n")
  string(APPEND cpp "namespace {\nconstexpr berth::http::EmbeddedFile kEmbeddedFiles[] = {\n"
                    "${entries_cpp}};\n}  // namespace\n\n")
  set(result "kEmbeddedFiles")
else()
  set(result "{}")
endif()
string(APPEND cpp "std::span<const berth::http::EmbeddedFile> berth::http::embedded_files() {\n"
                  "  return ${result};\n}\n")

# Rewritten only when it differs, so an unchanged dist compiles nothing.
file(WRITE "${OUT}.tmp" "${cpp}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")

set(deps "")
foreach(input IN LISTS inputs)
  string(REPLACE " " "\\ " input "${input}")
  string(APPEND deps " ${input}")
endforeach()
string(REPLACE " " "\\ " out_escaped "${OUT}")
file(WRITE "${DEPFILE}" "${out_escaped}:${deps}\n")
