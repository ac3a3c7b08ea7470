// Every combination of page-table rights (R/W and U/S at each level, NX at each PAE
// level with and without EFER.NXE), CR0.WP, privilege and access kind, for each page
// layout, checked against the SDM's rules (Vol. 3A 4.6) written out independently
// below: whether the access succeeds, the #PF error code, and the A/D bits left in
// memory. Each combination runs cold (empty TLB) and warm (the TLB already holds the
// page from an access that was allowed), so cached rights are checked as well.
#include <catch2/catch.hpp>

#include <sstream>

#include "paging_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

enum class Layout { TwoLevel4K, TwoLevel4M, Pae4K, Pae2M };

struct Combo {
    Layout layout;
    bool nxe;
    bool pde_rw, pde_us, pde_nx;
    bool pte_rw, pte_us, pte_nx;  // unused for large pages
    bool wp;
    Priv priv;
    Access access;
    bool warm;

    bool pae() const { return layout == Layout::Pae4K || layout == Layout::Pae2M; }
    bool large() const { return layout == Layout::TwoLevel4M || layout == Layout::Pae2M; }

    std::string describe() const {
        static const char* layouts[] = {"two-level 4K", "two-level 4M", "PAE 4K", "PAE 2M"};
        std::ostringstream s;
        s << layouts[static_cast<int>(layout)] << (nxe ? " NXE" : "") << " | PDE " << (pde_rw ? "RW " : "RO ")
          << (pde_us ? "U " : "S ") << (pde_nx ? "NX" : "");
        if (!large()) s << " | PTE " << (pte_rw ? "RW " : "RO ") << (pte_us ? "U " : "S ") << (pte_nx ? "NX" : "");
        s << " | WP=" << wp << " | " << (priv == Priv::User ? "user " : "supervisor ") << access_name(access)
          << (warm ? " (warm TLB)" : " (cold TLB)");
        return s.str();
    }
};

// The SDM's access-rights rules, spelled out (no SMEP/SMAP, no protection keys).
bool expected_allowed(const Combo& c) {
    const bool rw = c.large() ? c.pde_rw : (c.pde_rw && c.pte_rw);
    const bool us = c.large() ? c.pde_us : (c.pde_us && c.pte_us);
    const bool nx = c.pae() && c.nxe && (c.large() ? c.pde_nx : (c.pde_nx || c.pte_nx));
    const bool user = c.priv == Priv::User;
    switch (c.access) {
        case Access::Read: return user ? us : true;
        case Access::Write: return user ? (us && rw) : (rw || !c.wp);
        case Access::Execute: return (user ? us : true) && !nx;
    }
    return false;
}

u32 expected_error_code(const Combo& c) {
    u32 code = pf_error::kPresent;  // every denial here is a protection violation
    if (c.access == Access::Write) code |= pf_error::kWrite;
    if (c.priv == Priv::User) code |= pf_error::kUser;
    if (c.access == Access::Execute && c.pae() && c.nxe) code |= pf_error::kInstructionFetch;
    return code;
}

constexpr u32 kLin = 0x40123000;
constexpr u64 kFrame = 0x00600000;  // 2 MiB and 4 MiB aligned

struct Rig {
    MmuFixture f;
    TwoLevelTables two{f.bus, f.alloc};
    PaeTables pae{f.bus, f.alloc};
    Layout layout;
    bool nxe;

    Rig(Layout l, bool nxe_on) : layout(l), nxe(nxe_on) {
        const bool is_pae = l == Layout::Pae4K || l == Layout::Pae2M;
        write_entries(Combo{l, nxe_on, true, true, false, true, true, false, false, Priv::Supervisor, Access::Read, false});
        if (is_pae) {
            f.enable_pae(pae.cr3(), 0, 0, nxe_on);
        } else {
            f.enable_two_level(two.cr3(), cr4::kPSE);
        }
    }

    u64 flags(bool rw, bool us, bool nx) const { return P | (rw ? RW : 0) | (us ? US : 0) | (nx ? NX : 0); }

    void write_entries(const Combo& c) {
        const u64 pde = flags(c.pde_rw, c.pde_us, c.pde_nx);
        const u64 leaf = flags(c.pte_rw, c.pte_us, c.pte_nx);
        switch (c.layout) {
            case Layout::TwoLevel4K: two.map_4k(kLin, kFrame, leaf, pde); break;
            case Layout::TwoLevel4M: two.map_4m(kLin, kFrame, pde); break;
            case Layout::Pae4K: pae.map_4k(kLin, kFrame, leaf, pde); break;
            case Layout::Pae2M: pae.map_2m(kLin, kFrame, pde); break;
        }
    }
    u64 pde_value() { return layout == Layout::TwoLevel4K || layout == Layout::TwoLevel4M ? two.read(two.pde_addr(kLin)) : pae.read(pae.pde_addr(kLin)); }
    u64 leaf_value() {
        switch (layout) {
            case Layout::TwoLevel4K: return two.read(two.pte_addr(kLin));
            case Layout::Pae4K: return pae.read(pae.pte_addr(kLin));
            default: return pde_value();
        }
    }

    std::optional<GuestFault> access(Access a, Priv p) {
        return fault_of([&] {
            switch (a) {
                case Access::Read: f.mmu.read<u32>(LinearAddr{kLin + 0x10}, p); break;
                case Access::Write: f.mmu.write<u32>(LinearAddr{kLin + 0x10}, 0x11223344, p); break;
                case Access::Execute: f.mmu.translate_code(LinearAddr{kLin + 0x10}, p); break;
            }
        });
    }

    void run(const Combo& c) {
        INFO(c.describe());
        write_entries(c);
        f.mmu.write_cr0(cr0::kPE | cr0::kPG | (c.wp ? cr0::kWP : 0));
        f.mmu.write_cr3(f.cr.cr3);  // empty the TLBs (nothing here is global)
        const bool allowed = expected_allowed(c);

        if (c.warm) {
            // Fill the TLB this access will use with an access that must succeed.
            const Access filler = c.access == Access::Execute ? Access::Execute : Access::Read;
            Combo probe = c;
            probe.access = filler;
            probe.priv = Priv::Supervisor;
            if (!expected_allowed(probe)) return;  // no allowed access can warm it
            REQUIRE_FALSE(access(filler, Priv::Supervisor));
            REQUIRE((f.mmu.probe_tlb(LinearAddr{kLin}) & (filler == Access::Execute ? tlb_probe::kItlb : tlb_probe::kDtlb)));
        }

        const auto fault = access(c.access, c.priv);
        CHECK(fault.has_value() == !allowed);
        if (fault) {
            CHECK(fault->vector == Vector::PF);
            CHECK(describe_error_code(fault->error_code) == describe_error_code(expected_error_code(c)));
            CHECK(f.cr.cr2 == kLin + 0x10);
            CHECK(f.mmu.probe_tlb(LinearAddr{kLin}) == 0);  // the #PF dropped the page from both TLBs
        }
        // A/D in memory. A cold denied access leaves the leaf's A clear; warm ones saw A
        // set by the filling access.
        const u64 leaf = leaf_value();
        CHECK(((leaf & A) != 0) == (allowed || c.warm));
        CHECK(((leaf & D) != 0) == (allowed && c.access == Access::Write));
        if (!c.large()) CHECK((pde_value() & A) != 0);  // used to reach the PTE
        // The walk()/probe() view agrees with what happened.
        CHECK(f.mmu.walk(LinearAddr{kLin}, c.access, c.priv).ok() == allowed);
    }
};

void sweep(Layout layout, bool nxe) {
    Rig rig(layout, nxe);
    const bool large = layout == Layout::TwoLevel4M || layout == Layout::Pae2M;
    const bool nx_possible = nxe;  // without NXE, bit 63 is reserved
    for (int bits = 0; bits < 64; ++bits) {
        Combo c{};
        c.layout = layout;
        c.nxe = nxe;
        c.pde_rw = bits & 1;
        c.pde_us = bits & 2;
        c.pte_rw = large ? true : (bits & 4) != 0;
        c.pte_us = large ? true : (bits & 8) != 0;
        c.pde_nx = nx_possible && (bits & 16);
        c.pte_nx = nx_possible && !large && (bits & 32);
        // Skip encodings that repeat another one (bits that do not exist here).
        if (large && (bits & 12)) continue;
        if (!nx_possible && (bits & 48)) continue;
        if (large && (bits & 32)) continue;
        for (bool wp : {false, true}) {
            for (Priv p : {Priv::Supervisor, Priv::User}) {
                for (Access a : {Access::Read, Access::Write, Access::Execute}) {
                    for (bool warm : {false, true}) {
                        c.wp = wp;
                        c.priv = p;
                        c.access = a;
                        c.warm = warm;
                        rig.run(c);
                    }
                }
            }
        }
    }
}

}  // namespace

TEST_CASE("Rights: two-level paging, 4 KiB pages", "[mmu][rights]") { sweep(Layout::TwoLevel4K, false); }
TEST_CASE("Rights: two-level paging, 4 MiB pages", "[mmu][rights]") { sweep(Layout::TwoLevel4M, false); }
TEST_CASE("Rights: PAE, 4 KiB pages, NXE off", "[mmu][rights]") { sweep(Layout::Pae4K, false); }
TEST_CASE("Rights: PAE, 4 KiB pages, NXE on", "[mmu][rights]") { sweep(Layout::Pae4K, true); }
TEST_CASE("Rights: PAE, 2 MiB pages, NXE off", "[mmu][rights]") { sweep(Layout::Pae2M, false); }
TEST_CASE("Rights: PAE, 2 MiB pages, NXE on", "[mmu][rights]") { sweep(Layout::Pae2M, true); }
