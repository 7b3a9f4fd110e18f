from jifen.scoring.engine_command import EngineCommand


class Command(EngineCommand):
    help = "说明一名党员一个期间的积分由来 (explain a result)"
    subcommand = "explain"
