# hm386_kernel_image(NAME OUTPUT file LIBS guestlibs... [SOURCES ...] [INCLUDES ...] [DEFINES ...])
#
# Links a kernel image (kernel.elf, ktest.elf) from guest libraries: a first link
# gives the symbol table, which is assembled into the .kallsyms section (placed
# after all code) for the second, final link; then the table is regenerated from
# the final image and compared, so a moved code address fails the build.
set(HM386_KERNEL_DIR ${CMAKE_CURRENT_LIST_DIR}/../kernel)
find_program(HM386_NM NAMES nm llvm-nm llvm-nm-14 REQUIRED)

function(hm386_kernel_image NAME)
  cmake_parse_arguments(G "" "OUTPUT" "SOURCES;INCLUDES;DEFINES;LIBS" ${ARGN})
  _hm386_guest_closure(incs libobjs ${G_INCLUDES} LIBS ${G_LIBS})
  set(objs "")
  if(G_SOURCES)
    _hm386_guest_compile(objs "${NAME}" "${G_SOURCES}" "${incs}" "${G_DEFINES}")
  endif()
  set(lds ${HM386_KERNEL_DIR}/arch/x86/kernel.ld)
  set(gen ${HM386_KERNEL_DIR}/scripts/gen-kallsyms.sh)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${NAME}.link)
  set(ldcmd ${HM386_GUEST_LD} -m elf_i386 --gc-sections -nostdlib -static -T ${lds})
  add_custom_command(OUTPUT ${G_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${work}
    COMMAND ${ldcmd} -o ${work}/pass1.elf ${objs} ${libobjs} ${HM386_GUEST_BUILTINS}
    COMMAND ${gen} ${HM386_NM} ${work}/pass1.elf ${work}/kallsyms.S
    COMMAND ${HM386_GUEST_CC} ${HM386_GUEST_COMMON_FLAGS} -g0 -c ${work}/kallsyms.S -o ${work}/kallsyms.o
    COMMAND ${ldcmd} -o ${G_OUTPUT}.tmp ${objs} ${libobjs} ${work}/kallsyms.o ${HM386_GUEST_BUILTINS}
    COMMAND ${gen} ${HM386_NM} ${G_OUTPUT}.tmp ${work}/kallsyms.check.S
    COMMAND ${CMAKE_COMMAND} -E compare_files ${work}/kallsyms.S ${work}/kallsyms.check.S
    COMMAND ${CMAKE_COMMAND} -E rename ${G_OUTPUT}.tmp ${G_OUTPUT}
    DEPENDS ${objs} ${libobjs} ${lds} ${gen}
    COMMENT "guest LD ${NAME} (two passes, kallsyms)"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${NAME} ALL DEPENDS ${G_OUTPUT})
  set_target_properties(${NAME} PROPERTIES HM386_IMAGE ${G_OUTPUT})
endfunction()
