import CGit2
import Foundation

extension GitMirror {
    /// Above this many pack files, an update rolls the smaller packs into one (git's `gc.autoPackLimit` is 50).
    public static let packLimit = 16

    /// The mirror's pack files (`objects/pack/pack-*.pack`), with their sizes.
    func packs() -> [(name: String, size: Int)] {
        let directory = self.directory + "/objects/pack"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".pack") }.map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return (String(name.dropLast(".pack".count)), (attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// Keeps lookups fast as fetches add packs: each fetch writes a pack of its own, and every object lookup of a
    /// checkout walks the packs, so after a hundred pushes a checkout of 400 files costs ten times what it did.
    /// Past `packLimit` packs, every pack but the largest (the first clone's, usually) is rolled into one new pack
    /// and then removed; the cost is that of the small packs' objects, not of the repository. The caller holds the
    /// mirror's lock. Readers that do not take it (checkouts, steps running `git` in a workspace whose alternates
    /// name this mirror) keep working as they do through `git gc`: a pack already open stays readable after it is
    /// unlinked, and a lookup that misses rescans the pack directory, where the new pack is complete before any old
    /// one goes (packs marked `.keep` are left alone).
    func consolidatePacks(in repository: OpaquePointer) throws {
        let all = packs()
        guard all.count > Self.packLimit else { return }
        let directory = self.directory + "/objects/pack"
        let fileManager = FileManager.default
        let largest = all.max { $0.size < $1.size }?.name
        let small = all.filter { $0.name != largest && !fileManager.fileExists(atPath: "\(directory)/\($0.name).keep") }
            .map(\.name)
        guard small.count > 1 else { return }
        var objects: [git_oid] = []
        for name in small { try collectObjects(ofPack: "\(directory)/\(name).idx", into: &objects) }
        var builder: OpaquePointer?
        var code = git_packbuilder_new(&builder, repository)
        guard code == 0, let builder else { throw GitRepository.failure(code, "cannot start a pack in '\(directory)'") }
        defer { git_packbuilder_free(builder) }
        for var oid in objects {
            code = git_packbuilder_insert(builder, &oid, nil)
            guard code == 0 else { throw GitRepository.failure(code, "cannot add an object to the new pack") }
        }
        code = git_packbuilder_write(builder, directory, 0, nil, nil)
        guard code == 0 else { throw GitRepository.failure(code, "cannot write the new pack into '\(directory)'") }
        let written = git_packbuilder_name(builder).map { "pack-" + String(cString: $0) }
        for name in small where name != written {
            // The index last: a reader that still lists this pack finds no index and skips it.
            for suffix in [".pack", ".rev", ".idx"] {
                try? fileManager.removeItem(atPath: "\(directory)/\(name)\(suffix)")
            }
        }
    }

    /// Appends the ids of every object in the pack whose index is `index`.
    private func collectObjects(ofPack index: String, into objects: inout [git_oid]) throws {
        var backend: OpaquePointer?
        var code = git_odb_backend_one_pack(&backend, index)
        guard code == 0, let backend else { throw GitRepository.failure(code, "cannot open the pack index '\(index)'") }
        var database: OpaquePointer?
        code = git_odb_new(&database)
        // The backend's own free function is in libgit2's private headers: on the (out-of-memory) failures below it
        // is left to the process, as one small allocation.
        guard code == 0, let database else {
            throw GitRepository.failure(code, "cannot read the pack index '\(index)'")
        }
        defer { git_odb_free(database) }  // frees the backend too
        code = git_odb_add_backend(database, backend, 1)
        guard code == 0 else { throw GitRepository.failure(code, "cannot read the pack index '\(index)'") }
        let box = ObjectList()
        code = git_odb_foreach(
            database,
            { oid, payload in
                guard let oid, let payload else { return 0 }
                Unmanaged<ObjectList>.fromOpaque(payload).takeUnretainedValue().ids.append(oid.pointee)
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        guard code == 0 else { throw GitRepository.failure(code, "cannot list the objects of '\(index)'") }
        objects.append(contentsOf: box.ids)
    }
}

/// The objects `git_odb_foreach` reports, collected through its payload pointer.
private final class ObjectList {
    var ids: [git_oid] = []
}
