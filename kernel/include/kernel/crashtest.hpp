// crash=TYPE on the command line: fail on purpose (see init/crashtest.cpp).
#pragma once
void run_crash_test();
