"""Training throughput of the suite's ResNet-18 in PyTorch, for `deno task perf --torch`.

Builds the same network as engine/resnet.ts with the CIFAR stem. The stem is a 3x3 conv
with stride 1 and no max-pool. The stage widths are round(64 w), round(128 w), round(256 w)
and round(512 w). Basic blocks get a 1x1 projection where the shape changes, and a global
average pool leads to the dense head. It trains the network with SGD (Nesterov momentum 0.9, weight decay 5e-4)
on random images and one-hot targets, and prints one JSON line with the images per
second of the timed steps.

With --serve it keeps the model: after the warm-up it prints one JSON line with
"ready", then reads lines from stdin, each a number of steps to time, and prints one
JSON line of images per second for each. It exits at the end of stdin. `deno task perf`
uses this to alternate short timings of tfjs and PyTorch.

PyTorch is optional: without it the script prints why on stderr and exits with 3.
"""

import argparse
import json
import sys
import time

EXIT_NO_TORCH = 3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=0.25, help="channel multiplier (default 0.25)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    parser.add_argument("--side", type=int, default=32, help="image side in pixels (default 32)")
    parser.add_argument("--classes", type=int, default=10, help="number of classes (default 10)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads, 0 for PyTorch's default")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and data (default 0)")
    parser.add_argument("--serve", action="store_true", help="time step counts read from stdin, one per line")
    args = parser.parse_args()
    for name in ("batch_size", "side", "classes", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    if args.width <= 0:
        parser.error(f"--width must be above 0, got {args.width}")
    return args


def build_model(torch, width, classes):
    nn = torch.nn
    widths = [max(1, round(c * width)) for c in (64, 128, 256, 512)]

    class BasicBlock(nn.Module):
        def __init__(self, in_channels, out_channels, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_channels)
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_channels)
            self.shortcut = nn.Identity()
            if stride != 1 or in_channels != out_channels:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels)
                )

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + self.shortcut(x))

    layers = [nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
    in_channels = widths[0]
    for stage, out_channels in enumerate(widths):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            layers.append(BasicBlock(in_channels, out_channels, stride))
            in_channels = out_channels
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_channels, classes)]
    return nn.Sequential(*layers)


def main():
    args = parse_args()
    try:
        import torch
    except ImportError as error:
        print(f"PyTorch is not installed ({error}); install it with `pip install torch` to compare.", file=sys.stderr)
        return EXIT_NO_TORCH
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_model(torch, args.width, args.classes).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    images = torch.randn(args.batch_size, 3, args.side, args.side).to(memory_format=torch.channels_last)
    labels = torch.randint(0, args.classes, (args.batch_size,))
    targets = torch.nn.functional.one_hot(labels, args.classes).float()
    model.train()

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(images)
        loss = -(targets * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    facts = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    if args.serve:
        return serve(step, args.batch_size, facts)
    print(json.dumps({
        "images_per_s": timed_images_per_second(step, args.steps, args.batch_size),
        "width": args.width,
        "batch_size": args.batch_size,
        "side": args.side,
        "steps": args.steps,
        **facts,
    }))
    return 0


def timed_images_per_second(step, steps, batch_size):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return batch_size * steps / (time.perf_counter() - start)


def serve(step, batch_size, facts):
    print(json.dumps({"ready": True, **facts}), flush=True)
    for line in sys.stdin:
        try:
            steps = int(line)
        except ValueError:
            print(f"invalid step count {line.strip()!r}: send a positive integer per line", file=sys.stderr)
            return 2
        if steps < 1:
            print(f"invalid step count {steps}: send a positive integer per line", file=sys.stderr)
            return 2
        print(json.dumps({"images_per_s": timed_images_per_second(step, steps, batch_size)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
