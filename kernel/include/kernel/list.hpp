// Intrusive circular doubly-linked lists, Linux's list_head: the links live in
// the listed object, so adding and removing never allocates. list_entry()
// recovers the object from its embedded list_head.
#pragma once
#include <kernel/compiler.hpp>
#include <stddef.h>

struct list_head {
    list_head* next;
    list_head* prev;
};

#define LIST_HEAD_INIT(name) {&(name), &(name)}

inline void INIT_LIST_HEAD(list_head* list) {
    list->next = list;
    list->prev = list;
}

inline void __list_add(list_head* entry, list_head* prev, list_head* next) {
    next->prev = entry;
    entry->next = next;
    entry->prev = prev;
    prev->next = entry;
}

// Adds after head (stack order).
inline void list_add(list_head* entry, list_head* head) { __list_add(entry, head, head->next); }
// Adds before head (queue order).
inline void list_add_tail(list_head* entry, list_head* head) { __list_add(entry, head->prev, head); }

// Unlinks entry and poisons its links, so a second removal faults at once.
inline void list_del(list_head* entry) {
    entry->next->prev = entry->prev;
    entry->prev->next = entry->next;
    entry->next = reinterpret_cast<list_head*>(0x00100100);
    entry->prev = reinterpret_cast<list_head*>(0x00200200);
}
inline void list_del_init(list_head* entry) {
    entry->next->prev = entry->prev;
    entry->prev->next = entry->next;
    INIT_LIST_HEAD(entry);
}
inline void list_move_tail(list_head* entry, list_head* head) {
    list_del(entry);
    list_add_tail(entry, head);
}
inline void list_move(list_head* entry, list_head* head) {
    list_del(entry);
    list_add(entry, head);
}
inline bool list_empty(const list_head* head) { return head->next == head; }
inline bool list_is_singular(const list_head* head) { return !list_empty(head) && head->next == head->prev; }

#define container_of(ptr, type, member) \
    reinterpret_cast<type*>(reinterpret_cast<char*>(ptr) - offsetof(type, member))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_for_each_entry(pos, head, member)                                         \
    for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
         pos = list_entry(pos->member.next, __typeof__(*pos), member))

// Safe against removal of pos inside the loop.
#define list_for_each_entry_safe(pos, n, head, member)                                  \
    for (pos = list_entry((head)->next, __typeof__(*pos), member),                      \
        n = list_entry(pos->member.next, __typeof__(*pos), member);                     \
         &pos->member != (head); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))
