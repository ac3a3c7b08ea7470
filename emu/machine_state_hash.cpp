// Machine::state_hash: one 64-bit digest of the guest-visible state, for
// --state-hash-every (docs/state-hash.md). It walks the same description of the
// state as the snapshot writer and reader (machine_state_visit.hpp).
#include "machine_state_visit.hpp"
#include "snapshot/hash_visitor.hpp"

namespace hm {

u64 Machine::state_hash() const {
    snap::HashVisitor h;
    // The visit takes references for the reader's sake; the hash visitor only reads.
    const_cast<Machine*>(this)->visit_state(h);
    return h.digest();
}

}  // namespace hm
