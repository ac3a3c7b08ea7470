// Completions: "wait until this has happened once (or n times)".
#pragma once
#include <kernel/wait.hpp>

struct completion {
    unsigned done;
    wait_queue_head wait;
};

void init_completion(completion* x);
void complete(completion* x);
void complete_all(completion* x);
void wait_for_completion(completion* x);
// Jiffies left (at least 1), or 0 on timeout.
long wait_for_completion_timeout(completion* x, long timeout);
