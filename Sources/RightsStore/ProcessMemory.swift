import CRightsMalloc

/// The process's heap, as a large import leaves it between steps.
enum ProcessMemory {
    /// Hands the heap's free pages back to the system. glibc keeps what was freed below the top of its heap, so the
    /// megabytes one step of a 10M-row import let go (a sort's buffers, a page cache) would otherwise stay in the
    /// process's resident size through every later step.
    static func returnFreed() { _ = rights_return_freed_memory() }
}
