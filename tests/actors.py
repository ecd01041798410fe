"""Who the tests act as: store functions take the acting user and check their role."""

from qa_desk.permissions import Actor


def reviewer(name: str = "王质检") -> Actor:
    return Actor(name, "reviewer")


def lead(name: str = "李组长") -> Actor:
    return Actor(name, "lead")


ADMIN = Actor("管理员", "admin")
TRAINER = Actor("培训师 陈", "trainer")
MANAGER = Actor("经理 赵", "manager")
