// savevm / loadvm: the debugger's side of snapshots (docs/snapshots.md).
#include "debug/debugger.hpp"
#include "snapshot/snapshot_error.hpp"
#include "snapshot/snapshot_file.hpp"

namespace hm::dbg {

void Debugger::require_host_files(const char* what) const {
    if (!host_files_) throw DebugError(std::string(what) + ": host files are off in this session");
}

u64 Debugger::save_snapshot(const std::string& path) {
    require_host_files("savevm");
    try {
        const std::vector<u8> file = m_.save_snapshot(identity_);
        snap::write_file_bytes(path, file);
        return file.size();
    } catch (const snap::SnapshotError& e) {
        throw DebugError(std::string("savevm: ") + e.what());
    }
}

void Debugger::load_snapshot(const std::string& path) {
    require_host_files("loadvm");
    std::vector<u8> file;
    try {
        file = snap::read_file_bytes(path);
        // Everything about the file is checked before the machine is touched.
        const SnapshotHeader h = read_snapshot_header(file);
        if (h.identity.image_hash != identity_.image_hash) {
            throw snap::SnapshotError("the snapshot belongs to another image than the one this session booted");
        }
    } catch (const snap::SnapshotError& e) {
        throw DebugError("loadvm " + path + ": " + e.what());
    }
    try {
        m_.load_snapshot(file, identity_.image_hash);
    } catch (const snap::SnapshotError& e) {
        throw DebugError("loadvm " + path + ": " + e.what() +
                         " (the machine may be half-restored: load a good snapshot before running on)");
    }
    prev_regs_ = registers();  // changes are counted from the restored state
    fresh_stop("restored from " + path);  // it runs on, whatever ended the run it replaced
    checkpoints_.clear();      // they belong to the timeline left behind
    take_checkpoint_if_due();  // when recording, the restored state is the new start
}

}  // namespace hm::dbg
