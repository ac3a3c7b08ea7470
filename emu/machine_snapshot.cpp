// Machine::save_snapshot / load_snapshot (docs/snapshots.md). The payload is
// the META record (configuration and image identity) followed by the state
// stream of Machine::visit_state; snapshot_file.cpp wraps it in the compressed
// container. The layout fingerprint is taken on the machine itself, so a
// snapshot from a build whose state description differs is refused.
#include <cstdio>

#include "machine_state_visit.hpp"
#include "snapshot/layout_visitor.hpp"
#include "snapshot/snapshot_file.hpp"
#include "snapshot/snapshot_reader.hpp"
#include "snapshot/snapshot_writer.hpp"

namespace hm {

namespace {

constexpr u32 kMetaTag = 0x4154454D;  // "META"

// The configuration fields that change the guest, in the META record.
template <class V>
void visit_config(V& v, MachineConfig& c) {
    v.value(c.ram_bytes), v.value(c.cpu_hz), v.value(c.rtc_epoch);
    for (TlbGeometry* g : {&c.tlb.itlb_4k, &c.tlb.itlb_large, &c.tlb.dtlb_4k, &c.tlb.dtlb_large}) {
        v.value(g->entries), v.value(g->ways);
    }
    v.bounded(c.tlb_checker, 2), v.value(c.pc_testdev);
    v.bounded(c.cpu_model, 5);  // CpuModel: Default, I486, Pentium, P6, I486NoCpuid
    v.bounded(c.cpus, kMaxCpus + 1), v.value(c.smp_quantum);
    bool has_port2 = c.post_port2.has_value();
    u16 port2 = c.post_port2.value_or(0);
    v.value(has_port2), v.value(port2);
    if constexpr (V::kLoading) c.post_port2 = has_port2 ? std::optional<u16>(port2) : std::nullopt;
}

std::string describe_geometry(const TlbGeometry& g) {
    return std::to_string(g.entries) + "x" + std::to_string(g.ways);
}

// "" when the machine was built from the snapshot's configuration, else what differs.
std::string config_difference(const MachineConfig& snap, const MachineConfig& mine) {
    auto num = [](u64 v) { return std::to_string(v); };
    if (snap.ram_bytes != mine.ram_bytes) return "RAM size " + num(snap.ram_bytes) + " vs " + num(mine.ram_bytes) + " bytes";
    if (snap.cpu_hz != mine.cpu_hz) return "CPU clock " + num(snap.cpu_hz) + " vs " + num(mine.cpu_hz) + " Hz";
    if (snap.rtc_epoch != mine.rtc_epoch) return "RTC base time";
    if (snap.cpu_model != mine.cpu_model) return "CPU profile (--cpu)";
    if (snap.cpus != mine.cpus) return "CPU count (-smp) " + num(snap.cpus) + " vs " + num(mine.cpus);
    if (snap.smp_quantum != mine.smp_quantum) return "SMP quantum (--smp-quantum)";
    const std::pair<const TlbGeometry*, const TlbGeometry*> geo[] = {{&snap.tlb.itlb_4k, &mine.tlb.itlb_4k},
                                                                     {&snap.tlb.itlb_large, &mine.tlb.itlb_large},
                                                                     {&snap.tlb.dtlb_4k, &mine.tlb.dtlb_4k},
                                                                     {&snap.tlb.dtlb_large, &mine.tlb.dtlb_large}};
    for (auto [a, b] : geo) {
        if (a->entries != b->entries || a->ways != b->ways) {
            return "TLB geometry " + describe_geometry(*a) + " vs " + describe_geometry(*b);
        }
    }
    if (snap.tlb_checker != mine.tlb_checker) return "the TLB coherence checker (--tlb-check)";
    if (snap.pc_testdev != mine.pc_testdev) return "-device pc-testdev";
    if (snap.post_port2 != mine.post_port2) return "the second POST port (--post-port)";
    return "";
}

SnapshotHeader read_meta(snap::SnapshotReader& r) {
    SnapshotHeader h;
    r.section(kMetaTag);
    visit_config(r, h.config);
    r.value(h.identity.image_hash);
    h.identity.boot = r.text(1 << 20);
    return h;
}

}  // namespace

SnapshotHeader read_snapshot_header(std::span<const u8> file) {
    const snap::SnapshotPayload p = snap::decode_snapshot_file(file);
    snap::SnapshotReader r(p.bytes);
    return read_meta(r);
}

std::vector<u8> Machine::save_snapshot(const SnapshotIdentity& identity) {
    snap::SnapshotWriter w;
    w.section(kMetaTag);
    MachineConfig cfg = config_;
    visit_config(w, cfg);
    u64 image_hash = identity.image_hash;
    w.value(image_hash);
    w.text(identity.boot);
    visit_state(w);
    snap::LayoutVisitor layout;
    visit_state(layout);
    return snap::encode_snapshot_file(layout.digest(), w.data());
}

void Machine::load_snapshot(std::span<const u8> file, u64 expected_image_hash) {
    load_snapshot_payload(snap::decode_snapshot_file(file), expected_image_hash);
}

void Machine::load_snapshot_payload(const snap::SnapshotPayload& p, u64 expected_image_hash) {
    snap::LayoutVisitor layout;
    visit_state(layout);
    if (p.fingerprint != layout.digest()) {
        char msg[200];
        std::snprintf(msg, sizeof msg,
                      "the snapshot's state layout (fingerprint %016llx) is not this build's (%016llx): it was "
                      "written by an incompatible build of hm386",
                      static_cast<unsigned long long>(p.fingerprint), static_cast<unsigned long long>(layout.digest()));
        throw snap::SnapshotError(msg);
    }
    snap::SnapshotReader r(p.bytes);
    const SnapshotHeader h = read_meta(r);
    const std::string diff = config_difference(h.config, config_);
    if (!diff.empty()) throw snap::SnapshotError("the snapshot was taken on another machine configuration: " + diff);
    if (h.identity.image_hash != expected_image_hash) {
        char msg[200];
        std::snprintf(msg, sizeof msg, "the snapshot belongs to another image (image hash %016llx, this one %016llx)",
                      static_cast<unsigned long long>(h.identity.image_hash),
                      static_cast<unsigned long long>(expected_image_hash));
        throw snap::SnapshotError(msg);
    }
    visit_state(r);
    if (r.remaining() != 0) r.fail(std::to_string(r.remaining()) + " bytes after the end of the state");
    // The run loop's own bookkeeping follows the restored counters. A round left
    // open by a debugger stop is not part of a snapshot: the restored machine
    // starts a new round (docs/snapshots.md).
    smp_round_open_ = false;
    if (hash_every_) set_state_hash_every(hash_every_, hash_report_);
}

}  // namespace hm
