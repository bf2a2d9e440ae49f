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

// The kernels' vector width: 16 float lanes where the target CPU has AVX-512, else 8.
// `MINIBATCH_LANES` (8 or 16) overrides the choice. For a native build the width follows the
// flags of this machine's /proc/cpuinfo; for a named CPU, the names of AVX-512 CPUs below.
let avx512CPUs: Set<String> = [
    "znver4", "znver5", "skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client",
    "icelake-server", "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids",
    "graniterapids-d", "diamondrapids", "x86-64-v4",
]
func targetHasAVX512() -> Bool {
    if targetCPU != "native" { return avx512CPUs.contains(targetCPU) }
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    // The first processor's "flags" line names the instruction sets; avx512f is the foundation.
    guard let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    return flags.split(separator: " ").contains("avx512f")
}
let sixteenLanes = environment["MINIBATCH_LANES"].map { $0 == "16" } ?? targetHasAVX512()

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
