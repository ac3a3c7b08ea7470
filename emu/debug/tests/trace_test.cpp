#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "debug/trace_reader.hpp"
#include "debug/trace_writer.hpp"

using namespace hm;

namespace {
struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/hm386-trace-XXXXXX";
        int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

std::vector<TraceRecord> read_all(const std::string& path) {
    TraceReader r(path);
    std::vector<TraceRecord> out;
    while (auto rec = r.next()) out.push_back(*rec);
    return out;
}
}  // namespace

TEST_CASE("Every event kind survives a round trip through the compressed trace", "[trace]") {
    TempFile tmp;
    {
        TraceWriter w(tmp.path, 100'000'000);
        InstructionEvent ie{10, 0x100010, 0x08, 0x100010, 3, {0xB8, 0x01, 0x02}};
        w.on_instruction(ie);
        PageWalkEvent pw{};
        pw.cycle = 20;
        pw.linear = 0xC0001000;
        pw.access = 1;
        pw.user = 1;
        pw.pae = 1;
        pw.levels = 3;
        pw.entry_addr[0] = 0x1000;
        pw.entry_value[0] = 0x2001;
        pw.entry_addr[2] = 0x123456789ull;
        pw.entry_value[2] = 0x8000000000005063ull;
        pw.set_accessed = 5;
        pw.set_dirty = 1;
        pw.page_size_log2 = 12;
        pw.phys = 0x105000000ull;
        w.on_page_walk(pw);
        w.on_tlb_flush({30, TlbFlushCause::Invlpg, 0xC0001000, 2});
        w.on_exception({40, 14, 1, 0x6, 0x100200, 0x08, 0xC0001000});
        w.on_interrupt({50, 0x20, 1, 0x100300, 0x08});
        w.on_port_io({60, 0x3F8, 1, 1, 0x41});
        w.on_stale_translation({70, 0x100400, 0xC0002000, 0, 0, 0x7000, 0x3, 1, 0x8000, 0x1});
        CHECK(w.records() == 7);
        CHECK(w.close().empty());
    }
    TraceReader r(tmp.path);
    CHECK(r.cpu_hz() == 100'000'000);
    auto recs = read_all(tmp.path);
    REQUIRE(recs.size() == 7);
    auto ie = std::get<InstructionEvent>(recs[0]);
    CHECK(ie.cycle == 10);
    CHECK(ie.length == 3);
    CHECK(ie.bytes[2] == 0x02);
    auto pw = std::get<PageWalkEvent>(recs[1]);
    CHECK(pw.entry_addr[2] == 0x123456789ull);
    CHECK(pw.entry_value[2] == 0x8000000000005063ull);
    CHECK(pw.phys == 0x105000000ull);
    CHECK(std::get<TlbFlushEvent>(recs[2]).cause == TlbFlushCause::Invlpg);
    CHECK(std::get<ExceptionEvent>(recs[3]).cr2 == 0xC0001000);
    CHECK(std::get<InterruptEvent>(recs[4]).vector == 0x20);
    CHECK(std::get<PortIoEvent>(recs[5]).port == 0x3F8);
    CHECK(std::get<StaleTranslationEvent>(recs[6]).memory_phys == 0x8000);

    CHECK(format_trace_record(recs[0]) == "          10 insn  0008:00100010 lin=00100010  b8 01 02");
    CHECK(format_trace_record(recs[2]) == "          30 flush invlpg lin=c0001000 dropped=2");
    CHECK(format_trace_record(recs[3]) == "          40 exc   #PF(0x6) at 0008:00100200 cr2=c0001000");
    CHECK(format_trace_record(recs[4]) == "          50 int   0x20 external at 0008:00100300");
    CHECK(format_trace_record(recs[5]) == "          60 io    out8 0x03f8 <- 0x41");
    CHECK(format_trace_record(TraceRecord{PortIoEvent{61, 0xF4, 4, 1, 0}}) == "          61 io    out32 0x00f4 <- 0x00000000");
    CHECK(format_trace_record(recs[1]).find("pte[123456789]=8000000000005063 -> 105000000 (4K)") != std::string::npos);
    CHECK(format_trace_record(recs[6]).find("STALE dtlb read lin=c0002000") != std::string::npos);
}

TEST_CASE("The mask selects which events are recorded", "[trace]") {
    TempFile tmp;
    TraceMask mask = 0;
    REQUIRE(parse_trace_mask("io,exc", mask));
    {
        TraceWriter w(tmp.path, 1000, mask);
        w.on_port_io({1, 0x80, 1, 1, 0});
        w.on_interrupt({2, 0x21, 1, 0, 8});
        w.on_exception({3, 6, 0, 0, 0, 8, 0});
    }
    auto recs = read_all(tmp.path);
    REQUIRE(recs.size() == 2);
    CHECK(std::holds_alternative<PortIoEvent>(recs[0]));
    CHECK(std::holds_alternative<ExceptionEvent>(recs[1]));
    CHECK_FALSE(parse_trace_mask("io,bogus", mask));
    CHECK_FALSE(parse_trace_mask("", mask));
    CHECK(parse_trace_mask("all", mask));
    CHECK(mask == kTraceAll);
}

TEST_CASE("Truncated and foreign files are reported, not misread", "[trace]") {
    TempFile tmp;
    {
        TraceWriter w(tmp.path, 1000);
        for (u32 i = 0; i < 100; ++i) w.on_port_io({i, 0x80, 1, 1, i});
    }
    // Decompress, cut mid-record, recompress.
    std::string raw;
    {
        gzFile f = gzopen(tmp.path.c_str(), "rb");
        char buf[4096];
        int n;
        while ((n = gzread(f, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
        gzclose(f);
    }
    TempFile cut;
    {
        gzFile f = gzopen(cut.path.c_str(), "wb");
        gzwrite(f, raw.data(), static_cast<unsigned>(raw.size() - 5));
        gzclose(f);
    }
    TraceReader r(cut.path);
    unsigned ok = 0;
    CHECK_THROWS_AS(([&] { while (r.next()) ++ok; })(), TraceError);
    CHECK(ok == 99);
    TempFile foreign;
    {
        std::ofstream(foreign.path) << "hello, not a trace";
    }
    CHECK_THROWS_WITH(TraceReader(foreign.path), Catch::Contains("not an hm386 trace"));
    CHECK_THROWS_AS(TraceReader("/nonexistent/trace"), TraceError);
}

TEST_CASE("A cut trace names the number of whole records read before the cut", "[trace]") {
    TempFile tmp;
    {
        TraceWriter w(tmp.path, 1000);
        for (u32 i = 0; i < 2000; ++i) w.on_port_io({i, 0x80, 1, 1, i});
    }
    // Cut the compressed stream itself: zlib reports the missing end.
    std::string gz;
    {
        std::ifstream in(tmp.path, std::ios::binary);
        gz.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    TempFile cut;
    std::ofstream(cut.path, std::ios::binary).write(gz.data(), static_cast<std::streamsize>(gz.size() / 2));
    TraceReader r(cut.path);
    unsigned ok = 0;
    std::string why;
    try {
        while (r.next()) ++ok;
    } catch (const TraceError& e) {
        why = e.what();
    }
    INFO(why);
    REQUIRE(ok > 0);
    CHECK(why.find("after " + std::to_string(ok) + " records") != std::string::npos);
}

TEST_CASE("A directory is not a trace, and says so", "[trace]") {
    CHECK_THROWS_WITH(TraceReader("/tmp"), Catch::Contains("cannot read trace file '/tmp': it is a directory"));
}
