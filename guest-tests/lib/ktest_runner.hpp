// The runner's entry point (called as ktest.elf's init payload).
#pragma once
namespace ktest {
int run_selected();
}
