#include "devices/pit8254.hpp"

namespace hm {

Pit8254::Pit8254(VirtualClock& clock, EventQueue& events, IrqLine irq0)
    : clock_(clock), events_(events), irq0_(irq0) {
    timer_ = events_.create("pit.irq0", [this](u64 now) { on_irq0_timer(now); }, static_cast<int>(irq0_.line));
    // Power-on: every channel idles until programmed. OUT is undefined on the
    // chip; it is taken as high, so programming mode 2 or 3 (the usual first
    // step) does not produce a phantom IRQ 0 edge.
    for (Channel& c : ch_) c.out_before_start = true;
}

u64 Pit8254::elapsed(const Channel& c, u64 tick) const {
    if (c.paused) return c.paused_elapsed;
    return tick > c.start_tick ? tick - c.start_tick : 0;
}

u32 Pit8254::count_at(const Channel& c, u64 tick) const {
    if (!c.counting) return c.reload % modulus(c);
    const u64 n = c.reload;
    const u64 d = elapsed(c, tick);
    const u64 m = modulus(c);
    switch (c.mode) {
        case 2: return static_cast<u32>((n - d % n) % m);
        case 3: return static_cast<u32>((n - (2 * (d % n)) % n) % m);
        default: {  // 0, 1, 4, 5: count down and wrap around
            u64 r = (n % m + m - d % m) % m;
            return static_cast<u32>(r);
        }
    }
}

bool Pit8254::out_at(const Channel& c, u64 tick) const {
    if (!c.counting) return c.out_before_start;
    const u64 n = c.reload;
    const u64 d = elapsed(c, tick);
    switch (c.mode) {
        case 0:
        case 1: return d >= n;
        case 2: return d % n != n - 1;
        case 3: return d % n < (n + 1) / 2;
        default: return d != n;  // 4, 5: one tick low at terminal count
    }
}

u64 Pit8254::next_rising_edge(const Channel& c, u64 after) const {
    if (!c.counting || c.paused) return EventQueue::kNever;
    const u64 n = c.reload;
    const u64 s = c.start_tick;
    switch (c.mode) {
        case 0:
        case 1: return s + n > after ? s + n : EventQueue::kNever;
        case 4:
        case 5: return s + n + 1 > after ? s + n + 1 : EventQueue::kNever;
        default: {  // 2, 3: every period boundary
            if (n < 2) return EventQueue::kNever;  // illegal counts: OUT never rises
            u64 k = after < s ? 1 : (after - s) / n + 1;
            return s + k * n;
        }
    }
}

bool Pit8254::out(unsigned channel) const { return out_at(ch_[channel], now_tick()); }
u32 Pit8254::count(unsigned channel) const { return count_at(ch_[channel], now_tick()); }

void Pit8254::start(Channel& c, u64 tick) {
    c.counting = true;
    c.start_tick = tick;
    c.paused = false;
    c.paused_elapsed = 0;
    if ((c.mode == 0 || c.mode == 4) && !c.gate) c.paused = true;
}

u16 Pit8254::encode(const Channel& c, u32 value) const {
    value %= modulus(c);
    if (!c.bcd) return static_cast<u16>(value);
    return static_cast<u16>((value / 1000 % 10) << 12 | (value / 100 % 10) << 8 | (value / 10 % 10) << 4 | value % 10);
}

u8 Pit8254::status_byte(const Channel& c) const {
    u64 t = now_tick();
    bool null_count = !c.loaded || !c.counting || t < c.start_tick;
    return static_cast<u8>((out_at(c, t) ? 0x80 : 0) | (null_count ? 0x40 : 0) | (c.access << 4) | (c.mode << 1) |
                           (c.bcd ? 1 : 0));
}

void Pit8254::write_control(u8 value) {
    unsigned sel = value >> 6;
    if (sel == 3) {  // read-back command
        for (unsigned i = 0; i < 3; ++i) {
            if (!(value & (2u << i))) continue;
            Channel& c = ch_[i];
            if (!(value & 0x20) && !c.count_latched) {
                c.latched_count = encode(c, count_at(c, now_tick()));
                c.count_latched = true;
                c.latched_msb_next = false;
            }
            if (!(value & 0x10) && !c.status_latched) {
                c.latched_status = status_byte(c);
                c.status_latched = true;
            }
        }
        return;
    }
    Channel& c = ch_[sel];
    unsigned access = (value >> 4) & 3;
    if (access == 0) {  // counter latch command
        if (!c.count_latched) {
            c.latched_count = encode(c, count_at(c, now_tick()));
            c.count_latched = true;
            c.latched_msb_next = false;
        }
        return;
    }
    ++stats_.reprograms;
    bool out_before = out_at(c, now_tick());
    c.access = access;
    c.mode = (value >> 1) & 7;
    if (c.mode >= 6) c.mode -= 4;  // 6, 7 are aliases of 2, 3
    c.bcd = value & 1;
    c.loaded = false;
    c.counting = false;
    c.paused = false;
    c.out_before_start = c.mode != 0;  // mode 0 drives OUT low, the others high
    c.write_msb_next = false;
    c.read_msb_next = false;
    c.count_latched = false;
    c.status_latched = false;
    if (sel == 0) {
        if (!out_before && c.out_before_start) {
            ++stats_.irq0_edges;
            irq0_.pulse();
        }
        reschedule_irq0();
    }
}

void Pit8254::write_count(unsigned ch, u8 value) {
    Channel& c = ch_[ch];
    u32 raw;
    switch (c.access) {
        case 1: raw = value; break;
        case 2: raw = u32{value} << 8; break;
        default:
            if (!c.write_msb_next) {
                c.write_lsb = value;
                c.write_msb_next = true;
                if (c.mode == 0) {  // the first byte stops the count and drives OUT low
                    c.counting = false;
                    c.out_before_start = false;
                    if (ch == 0) reschedule_irq0();
                }
                return;
            }
            c.write_msb_next = false;
            raw = c.write_lsb | u32{value} << 8;
            break;
    }
    u32 n = raw;
    if (c.bcd) n = (raw >> 12 & 0xF) * 1000 + (raw >> 8 & 0xF) * 100 + (raw >> 4 & 0xF) * 10 + (raw & 0xF);
    if (n == 0) n = modulus(c);
    c.reload = n;
    c.loaded = true;
    // The count moves into the counting element on the next clock pulse.
    const u64 next = now_tick() + 1;
    switch (c.mode) {
        case 1:
        case 5:
            break;  // wait for a gate trigger
        case 2:
        case 3:
            if (c.gate) {
                start(c, next);
            } else {
                c.counting = false;
            }
            break;
        default: start(c, next); break;  // 0, 4 (paused while the gate is low)
    }
    if (ch == 0) reschedule_irq0();
}

u8 Pit8254::read_counter(unsigned ch) {
    Channel& c = ch_[ch];
    if (c.status_latched) {
        c.status_latched = false;
        return c.latched_status;
    }
    auto pick = [&](u16 v, bool& msb_next) -> u8 {
        switch (c.access) {
            case 1: return static_cast<u8>(v);
            case 2: return static_cast<u8>(v >> 8);
            default: {
                u8 b = msb_next ? static_cast<u8>(v >> 8) : static_cast<u8>(v);
                msb_next = !msb_next;
                return b;
            }
        }
    };
    if (c.count_latched) {
        u8 b = pick(c.latched_count, c.latched_msb_next);
        if (c.access != 3 || !c.latched_msb_next) c.count_latched = false;
        return b;
    }
    return pick(encode(c, count_at(c, now_tick())), c.read_msb_next);
}

u32 Pit8254::io_read(u16 port, unsigned) {
    unsigned idx = port & 3;
    if (idx == 3) return 0xFF;  // the control register is write-only
    return read_counter(idx);
}

void Pit8254::io_write(u16 port, u32 value, unsigned) {
    unsigned idx = port & 3;
    if (idx == 3) {
        write_control(static_cast<u8>(value));
    } else {
        write_count(idx, static_cast<u8>(value));
    }
}

void Pit8254::set_gate(unsigned channel, bool level) {
    Channel& c = ch_[channel];
    if (c.gate == level) return;
    c.gate = level;
    const u64 t = now_tick();
    switch (c.mode) {
        case 0:
        case 4:
            if (!c.counting) break;
            if (!level) {
                c.paused_elapsed = elapsed(c, t);
                c.paused = true;
            } else if (c.paused) {
                c.start_tick = t + 1 - c.paused_elapsed;  // resume where it stopped
                c.paused = false;
            }
            break;
        case 1:
        case 5:
            if (level && c.loaded) start(c, t + 1);  // trigger (retriggerable)
            break;
        default:  // 2, 3
            if (!level) {
                c.counting = false;
                c.out_before_start = true;
            } else if (c.loaded) {
                start(c, t + 1);
            }
            break;
    }
    if (channel == 0) reschedule_irq0();
}

void Pit8254::reschedule_irq0() {
    u64 edge = next_rising_edge(ch_[0], now_tick());
    if (edge == EventQueue::kNever) {
        events_.cancel(timer_);
        return;
    }
    irq0_edge_tick_ = edge;
    events_.schedule(timer_, clock_.cycle_of_tick(edge, kPitFrequency));
}

void Pit8254::on_irq0_timer(u64) {
    ++stats_.irq0_edges;
    irq0_.pulse();
    reschedule_irq0();
}

}  // namespace hm
