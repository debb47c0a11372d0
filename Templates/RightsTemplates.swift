import Foundation

/// The bundle that holds the Mustache templates under `Templates/`.
public let templatesBundle = Bundle.module
