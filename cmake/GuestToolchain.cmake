# Guest side: freestanding code for the Intel486 (-march=i486: no CMOV or other
# P6 or Pentium instruction unless the code asks CPUID first, docs/cpu.md) built
# with clang --target=i686-unknown-none-elf
# and linked with ld.lld. Kept out of CMake's language machinery on purpose: the host
# compiler is g++, and per-object custom commands (with depfiles) give exact
# incremental rebuilds without a second CMake project.

find_program(HM386_GUEST_CC NAMES clang clang-14 REQUIRED)
find_program(HM386_GUEST_LD NAMES ld.lld ld.lld-14 REQUIRED)
execute_process(COMMAND ${HM386_GUEST_CC} --target=i686-unknown-none-elf -print-resource-dir
                OUTPUT_VARIABLE _hm386_clang_resdir OUTPUT_STRIP_TRAILING_WHITESPACE)
find_file(HM386_GUEST_BUILTINS libclang_rt.builtins-i386.a
          PATHS ${_hm386_clang_resdir}/lib/linux NO_DEFAULT_PATH)
if(NOT HM386_GUEST_BUILTINS)
  message(FATAL_ERROR "libclang_rt.builtins-i386.a not found (Debian package libclang-rt-14-dev); run tools/scripts/install-deps.sh")
endif()

set(HM386_GUEST_COMMON_FLAGS
  --target=i686-unknown-none-elf -march=i486 -ffreestanding -nostdlib -fno-builtin
  -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer
  -mno-sse -mno-sse2 -mno-mmx -mno-80387 -msoft-float -mno-red-zone
  -O2 -g -Wall -Wextra
  # __FILE__ relative to the source tree, and the debug info's paths free of
  # where the tree is checked out and which build tree it is: the images are the
  # same bytes in every checkout and tree. (They must be: the Multiboot loader
  # places its information after the whole image, so a longer debug string moves
  # the guest's memory layout and its cycle counts, which tests assert exactly.)
  -fmacro-prefix-map=${CMAKE_SOURCE_DIR}/=
  -fdebug-prefix-map=${CMAKE_BINARY_DIR}=build -fdebug-prefix-map=${CMAKE_SOURCE_DIR}=src)
set(HM386_GUEST_CXX_FLAGS -std=c++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics
  -fno-use-cxa-atexit -ffunction-sections -fdata-sections)

# hm386_guest_library(NAME SOURCES ... [INCLUDES ...] [DEFINES ...])
# Records compiled objects and include directories on a target for images to use.
function(hm386_guest_library NAME)
  cmake_parse_arguments(G "" "" "SOURCES;INCLUDES;DEFINES;LIBS" ${ARGN})
  set(incs ${G_INCLUDES})
  foreach(lib ${G_LIBS})
    get_target_property(libinc ${lib} HM386_INCLUDES)
    list(APPEND incs ${libinc})
  endforeach()
  _hm386_guest_compile(objs "${NAME}" "${G_SOURCES}" "${incs}" "${G_DEFINES}")
  add_custom_target(${NAME} DEPENDS ${objs})
  set_target_properties(${NAME} PROPERTIES HM386_OBJECTS "${objs}" HM386_INCLUDES "${incs}"
                        HM386_LIBS "${G_LIBS}")
endfunction()

# _hm386_guest_closure(INCS_VAR OBJS_VAR includes... LIBS guestlibs...)
# Everything an image links: the objects and include folders of the guest
# libraries named, and of the libraries they name in turn (each once).
function(_hm386_guest_closure incs_var objs_var)
  cmake_parse_arguments(C "" "" "LIBS" ${ARGN})
  set(incs ${C_UNPARSED_ARGUMENTS})
  set(libobjs "")
  set(alllibs "")
  set(queue ${C_LIBS})
  while(queue)
    list(POP_FRONT queue lib)
    if(lib IN_LIST alllibs)
      continue()
    endif()
    list(APPEND alllibs ${lib})
    get_target_property(libinc ${lib} HM386_INCLUDES)
    get_target_property(lobjs ${lib} HM386_OBJECTS)
    get_target_property(deps ${lib} HM386_LIBS)
    list(APPEND incs ${libinc})
    list(APPEND libobjs ${lobjs})
    if(deps)
      list(APPEND queue ${deps})
    endif()
  endwhile()
  set(${incs_var} ${incs} PARENT_SCOPE)
  set(${objs_var} ${libobjs} PARENT_SCOPE)
endfunction()

# hm386_guest_image(NAME OUTPUT file LINKER_SCRIPT ld SOURCES ... [LIBS guestlibs] [INCLUDES] [DEFINES])
function(hm386_guest_image NAME)
  cmake_parse_arguments(G "" "OUTPUT;LINKER_SCRIPT" "SOURCES;INCLUDES;DEFINES;LIBS" ${ARGN})
  _hm386_guest_closure(incs libobjs ${G_INCLUDES} LIBS ${G_LIBS})
  _hm386_guest_compile(objs "${NAME}" "${G_SOURCES}" "${incs}" "${G_DEFINES}")
  if(NOT G_OUTPUT)
    set(G_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${NAME}.elf)
  endif()
  add_custom_command(OUTPUT ${G_OUTPUT}
    COMMAND ${HM386_GUEST_LD} -m elf_i386 --gc-sections -nostdlib -static
            -T ${G_LINKER_SCRIPT} -o ${G_OUTPUT} ${objs} ${libobjs} ${HM386_GUEST_BUILTINS}
    DEPENDS ${objs} ${libobjs} ${G_LINKER_SCRIPT}
    COMMENT "guest LD ${NAME}"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${NAME} ALL DEPENDS ${G_OUTPUT})
  set_target_properties(${NAME} PROPERTIES HM386_IMAGE ${G_OUTPUT})
endfunction()

function(_hm386_guest_compile OUT_VAR NAME SOURCES INCLUDES DEFINES)
  set(objs "")
  set(incflags "")
  foreach(i ${INCLUDES})
    list(APPEND incflags -I${i})
  endforeach()
  set(defflags "")
  foreach(d ${DEFINES})
    list(APPEND defflags -D${d})
  endforeach()
  foreach(src ${SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR} ${abs})
    string(REPLACE "/" "_" flat ${rel})
    string(REPLACE ".." "up" flat ${flat})
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/guest-obj/${NAME}/${flat}.o)
    get_filename_component(ext ${src} LAST_EXT)
    if(ext STREQUAL ".S")
      # No debug info for assembly: clang's assembler ignores -fdebug-prefix-map,
      # and its DW_AT_comp_dir would name the build tree (see the flags above).
      set(langflags -D__ASSEMBLY__ -g0)
    else()
      set(langflags ${HM386_GUEST_CXX_FLAGS})
    endif()
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/guest-obj/${NAME}
      COMMAND ${HM386_GUEST_CC} ${HM386_GUEST_COMMON_FLAGS} ${langflags} ${incflags} ${defflags}
              -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "guest CC ${rel}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND objs ${obj})
  endforeach()
  set(${OUT_VAR} ${objs} PARENT_SCOPE)
endfunction()
