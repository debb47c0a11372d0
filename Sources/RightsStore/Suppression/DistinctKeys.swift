import RightsCore

/// The distinct keyed hashes of a batch, sorted, with the position of each row's key among them: how a gate finds
/// duplicate recipients and gets the sorted order that `BatchFacts` merges with, in one pass. Keys are spread
/// into buckets by their leading bits (an HMAC output is uniform, so buckets hold a handful each) and each
/// bucket is insertion-sorted, keeping rows in their order; this costs less than one hash-table insert per row.
struct DistinctKeys {
    /// The distinct keys in ascending order.
    let keys: [HashKey]
    /// For each input key, the position of its value in `keys`.
    let position: [Int32]
    /// For each distinct key, the first input index that has it.
    let first: [Int32]

    init(_ input: [HashKey]) {
        let count = input.count
        var bits = 8
        while bits < 22 && (1 << (bits + 2)) < count { bits += 1 }
        let shift = UInt64(64 - bits)
        var starts = [Int](repeating: 0, count: (1 << bits) + 1)
        for key in input { starts[Int(key.w0 >> shift) + 1] += 1 }
        for bucket in 0..<(1 << bits) { starts[bucket + 1] += starts[bucket] }
        // Keys travel with their input index, so sorting a bucket touches only the bucket.
        var order = [(key: HashKey, index: Int32)](repeating: (HashKey.zero, 0), count: count)
        var next = starts
        for (index, key) in input.enumerated() {
            let bucket = Int(key.w0 >> shift)
            order[next[bucket]] = (key, Int32(index))
            next[bucket] += 1
        }
        // Insertion sort within each bucket; equal keys keep their input order (the sort is stable).
        for bucket in 0..<(1 << bits) {
            let start = starts[bucket]
            let end = starts[bucket + 1]
            if end - start < 2 { continue }
            for item in (start + 1)..<end {
                let moving = order[item]
                var place = item
                while place > start && moving.key < order[place - 1].key {
                    order[place] = order[place - 1]
                    place -= 1
                }
                order[place] = moving
            }
        }
        var keys: [HashKey] = []
        var first: [Int32] = []
        var position = [Int32](repeating: 0, count: count)
        for (key, index) in order {
            if keys.last != key {
                keys.append(key)
                first.append(index)
            }
            position[Int(index)] = Int32(keys.count - 1)
        }
        self.keys = keys
        self.position = position
        self.first = first
    }
}
