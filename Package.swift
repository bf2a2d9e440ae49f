// swift-tools-version:6.2
// 6.2: the kernels use `InlineArray` and integer generic parameters (`ForwardBlock<let R: Int,
// let C: Int>`), which older toolchains reject deep inside the kernels; this line makes them
// stop at the manifest instead.
import Foundation
import PackageDescription

// Code generation for the kernels, the only target that sets compiler flags. They are written
// with SIMD types; without a target CPU the compiler lowers a SIMD fused multiply-add to one
// library call per lane. `MINIBATCH_TARGET_CPU` picks the CPU the binary is tuned for:
// "native" (the default) for the machine that builds it, a name such as "x86-64" or "znver4"
// for a portable binary.
let environment = ProcessInfo.processInfo.environment
let targetCPU = environment["MINIBATCH_TARGET_CPU"] ?? "native"

// The kernels' vector width: 16 float lanes where the target CPU has AVX-512 on full-width
// units, else 8. AMD Zen 4 has AVX-512 but executes a 16-lane instruction as two 8-lane
// halves: the same FLOP/s peak, and the 16-lane build measured 1.4x slower there (W1, see
// docs/benchmarks.md), so it gets 8 lanes. `MINIBATCH_LANES` (8 or 16) overrides the choice.
// For a native build the width follows this machine's /proc/cpuinfo; for a named CPU, the
// list below.
let avx512CPUs: Set<String> = [
    "znver5", "skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client",
    "icelake-server", "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids",
    "graniterapids-d", "diamondrapids", "x86-64-v4",
]
func targetHasFullWidthAVX512() -> Bool {
    if targetCPU != "native" { return avx512CPUs.contains(targetCPU) }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    // The first processor's lines: "flags" names the instruction sets (avx512f is the
    // foundation); AMD family 25 is Zen 3 and Zen 4.
    let lines = info.split(separator: "\n")
    func field(_ name: String) -> String? {
        lines.first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
    guard let flags = field("flags"), flags.split(separator: " ").contains("avx512f") else { return false }
    return !(field("vendor_id") == "AuthenticAMD" && field("cpu family") == "25")
}
let sixteenLanes = environment["MINIBATCH_LANES"].map { $0 == "16" } ?? targetHasFullWidthAVX512()

// The kernels are also optimised in debug builds, as one module: unoptimised, or without
// whole-module optimisation, their generic register blocks stay unspecialised code that runs
// ~100x slower and makes `swift test` crawl.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
] + (sixteenLanes ? [.define("MINIBATCH_LANES16")] : [])

let package = Package(
    name: "minibatch",
    products: [
        .library(name: "DataParallel", targets: ["DataParallel"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "DataParallelMPI", targets: ["DataParallelMPI"]),
        .executable(name: "minibatch", targets: ["minibatch"]),
    ],
    traits: [
        // Several machines: `swift build --traits MPI` links Open MPI (Debian: libopenmpi-dev)
        // and lets `minibatch train` run as the ranks of an mpirun or srun job. The default
        // build needs no MPI and links none.
        .trait(name: "MPI", description: "Train across the ranks of an Open MPI job"),
    ],
    targets: [
        // The reusable scheduler: worker pool, shard plans, deterministic reductions. No flags.
        .target(name: "DataParallel"),
        // Data, models, losses, penalties, schedules, training loop, metrics, files. No flags:
        // everything that needs a target CPU is in LearningKernels, called through
        // non-generic entry points compiled there.
        .target(
            name: "Learning", dependencies: ["DataParallel", "LearningKernels"],
            exclude: ["Kernels/LearningKernels"]),
        // The pointer kernels on flat float32 buffers (dense and sparse forward/backward pairs,
        // losses, activations). A module of its own so that only it carries the flags above;
        // its folder sits inside Learning's (which excludes it), where a reader looks for it.
        .target(
            name: "LearningKernels", path: "Sources/Learning/Kernels/LearningKernels",
            swiftSettings: kernelSettings),
        // Open MPI behind the MPI trait: the C library (include path from pkg-config `ompi`),
        // getters for its macro handles, and the ranks of a job as a DataParallel ProcessGroup.
        // With the trait off, nothing depends on CMPI, the shim compiles to nothing (its
        // header checks for mpi.h) and DataParallelMPI only reads the launcher's environment.
        .systemLibrary(
            name: "CMPI", path: "Sources/DataParallelMPI/CMPI", pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .target(
            name: "CMPIShim", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
            path: "Sources/DataParallelMPI/CMPIShim"),
        .target(
            name: "DataParallelMPI",
            dependencies: [
                "DataParallel",
                .target(name: "CMPI", condition: .when(traits: ["MPI"])),
                .target(name: "CMPIShim", condition: .when(traits: ["MPI"])),
            ],
            exclude: ["CMPI", "CMPIShim"]),
        // The thin command-line tool.
        .executableTarget(name: "minibatch", dependencies: ["Learning", "DataParallelMPI"]),

        // Tests mirror the source targets.
        .testTarget(name: "DataParallelTests", dependencies: ["DataParallel"]),
        .testTarget(
            name: "LearningTests", dependencies: ["Learning"], exclude: ["Fixtures", "Kernels/LearningKernels"]),
        .testTarget(
            name: "LearningKernelsTests", dependencies: ["LearningKernels", "Learning"],
            path: "Tests/LearningTests/Kernels/LearningKernels"),
        .testTarget(name: "minibatchTests", dependencies: ["minibatch", "Learning"]),
    ]
)
