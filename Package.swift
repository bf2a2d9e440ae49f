// swift-tools-version:6.1
import Foundation
import PackageDescription

// Code generation for the numeric targets. Kernels are written with SIMD types; without a
// target CPU the compiler lowers SIMD fused multiply-adds to one library call per lane.
// `MINIBATCH_TARGET_CPU` picks the CPU the binary is tuned for: "native" (the default) for
// the machine that builds it, a name such as "x86-64" or "znver4" for a portable binary.
let targetCPU = ProcessInfo.processInfo.environment["MINIBATCH_TARGET_CPU"] ?? "native"
// The kernels are also optimised in debug builds: unoptimised, their register blocks are
// generic code that runs ~100x slower and makes `swift test` crawl.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "minibatch",
    products: [
        .library(name: "DataParallel", targets: ["DataParallel"]),
        .library(name: "Learning", targets: ["Learning"]),
        .executable(name: "minibatch", targets: ["minibatch"]),
    ],
    targets: [
        // The reusable scheduler: worker pool, shard plans, deterministic reductions.
        .target(name: "DataParallel", swiftSettings: numericSettings),
        // Data, models, kernels, losses, penalties, schedules, training loop, metrics, files.
        .target(name: "Learning", dependencies: ["DataParallel"], swiftSettings: numericSettings),
        // The thin command-line tool.
        .executableTarget(name: "minibatch", dependencies: ["Learning"]),

        // Tests mirror the source targets.
        .testTarget(name: "DataParallelTests", dependencies: ["DataParallel"]),
        .testTarget(
            name: "LearningTests", dependencies: ["Learning"], exclude: ["Fixtures"]),
        .testTarget(name: "minibatchTests", dependencies: ["minibatch", "Learning"]),
    ]
)
